package main

import (
	"bufio"
	"context"
	"fmt"

	"github.com/bigfunc/bigfunc/train"
)

// cmdGenerate writes text from a sequence model, token by token, as it is
// drawn.
func cmdGenerate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "generate", "--model MODEL --prompt TEXT [--tokens N] [--temperature T] [--top_k K] [--seed S]",
		"continue a prompt with a model trained on text or a sequence task, writing each token as it is drawn")
	model := fs.String("model", "", "the trained sequence `MODEL` (.safetensors)")
	prompt := fs.String("prompt", "", "the `TEXT` to continue")
	tokens := fs.Int("tokens", 200, "write at most `N` tokens")
	temperature := fs.Float64("temperature", 1, "divide the scores by `T` before sampling; 0 takes the most likely token")
	topK := fs.Int("top_k", 0, "sample among the `K` most likely tokens only; 0 means all")
	seed := fs.Uint64("seed", 0, "the `SEED` of the sampling")
	pos, err := parse(fs, args)
	if err == nil {
		err = exactArgs(fs, pos)
	}
	if err == nil {
		err = required(fs, "model", *model)
	}
	if err != nil {
		return err
	}
	if *tokens < 0 || *temperature < 0 || *topK < 0 {
		return cmdUsagef(fs, "generate: --tokens, --temperature and --top_k must be ≥ 0")
	}
	m, err := train.LoadModel(*model)
	if err != nil {
		return err
	}
	if m.Vocab == nil {
		return fmt.Errorf("%s: the model does not read token sequences (it was not trained on text or a sequence task)", *model)
	}
	if _, err := m.Vocab.Encode(*prompt); err != nil {
		return fmt.Errorf("--prompt: %w", err)
	}
	w := bufio.NewWriter(e.stdout)
	emit := func(tok string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := w.WriteString(tok); err != nil {
			return err
		}
		// Stream: the reader sees each token as it is drawn.
		return w.Flush()
	}
	fmt.Fprint(w, *prompt)
	if _, err := m.Generate(*prompt, train.GenerateOptions{Tokens: *tokens, Temperature: *temperature, TopK: *topK, Seed: *seed}, emit); err != nil {
		w.Flush()
		return fmt.Errorf("%s: %w", *model, err)
	}
	fmt.Fprintln(w)
	return w.Flush()
}
