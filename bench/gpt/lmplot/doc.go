// Command lmplot draws the validation-loss curves that bench/gpt/lm
// (bigfunc) and bench/gpt/torch_lm.py (PyTorch) wrote, side by side:
//
//	go run ./bench/gpt/lmplot -dir /tmp/lm -o docs/gostd_loss.png
package main
