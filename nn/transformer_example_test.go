package nn_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/tensor"
)

// A GPT-style model is an embedding, a positional encoding and causal
// encoder layers; its parameters carry PyTorch's state_dict names.
func ExampleTransformerEncoderLayer() {
	rng := tensor.NewRNG(1)
	net := nn.NewSequential(
		nn.NewEmbedding(13, 8, -1, rng),
		nn.NewPositional("learned", 16, 8, rng),
		nn.NewTransformerEncoderLayer(8, 2, 32, 0.1, "gelu", 1e-5, true, true, rng),
		nn.NewLinear(8, 13, true, rng),
	)
	out, _ := net.OutShape([]int{10})
	fmt.Println("tokens [10] →", out)
	for _, p := range net.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	// Output:
	// tokens [10] → [10 13]
	// 0.weight [13 8]
	// 1.weight [16 8]
	// 2.self_attn.in_proj_weight [24 8]
	// 2.self_attn.in_proj_bias [24]
	// 2.self_attn.out_proj.weight [8 8]
	// 2.self_attn.out_proj.bias [8]
	// 2.linear1.weight [32 8]
	// 2.linear1.bias [32]
	// 2.linear2.weight [8 32]
	// 2.linear2.bias [8]
	// 2.norm1.weight [8]
	// 2.norm1.bias [8]
	// 2.norm2.weight [8]
	// 2.norm2.bias [8]
	// 3.weight [13 8]
	// 3.bias [13]
}
