package train

import (
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/spec"
)

// TestPaddingIdxPad checks that padding_idx: pad becomes the id of the
// task's padding token, so that a bidirectional encoder masks padding
// keys without the spec naming an id, and that text, which has no
// padding token, is told so.
func TestPaddingIdxPad(t *testing.T) {
	src := `
input:
  sequence: {task: reverse, digits: 4, min_digits: 2, size: 60, valid: 10, seed: 1}
output: {decode: argmax}
architecture:
  - embedding: {embedding_dim: 8, padding_idx: pad}
  - positional: {kind: learned, max_len: 16}
  - transformer_encoder_layer: {nhead: 2, dim_feedforward: 16, dropout: 0.0, attn_mask: none, key_padding_mask: auto}
  - linear: vocab
loss: cross_entropy
optimizer: {name: adam, lr: 0.01}
train: {epochs: 1, batch_size: 20}
`
	s, err := spec.Parse("pad.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tr, sets, err := Build(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	emb := tr.Model.Net.Layers[0].(*nn.Embedding)
	if want := sets.Train.Vocab.Pad; want < 0 || emb.PaddingIdx != want {
		t.Fatalf("padding_idx %d, want the vocabulary's pad %d", emb.PaddingIdx, want)
	}
	if _, err := tr.Run(t.Context()); err != nil {
		t.Fatal(err)
	}

	text := strings.Replace(src, "sequence: {task: reverse, digits: 4, min_digits: 2, size: 60, valid: 10, seed: 1}",
		"text: {path: sequence_pad_test.go, tokenizer: byte, block_size: 8}", 1)
	if s, err = spec.Parse("text.yaml", []byte(text)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Build(s, Options{}); err == nil || !strings.Contains(err.Error(), "no padding token") {
		t.Fatalf("text with padding_idx: pad: %v", err)
	}
}
