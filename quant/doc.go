// Package quant turns a trained float32 model into an int8 one for
// inference: the weights of every Linear layer and of every Conv2d with
// groups 1 are rounded to int8 with one symmetric scale per output (per
// output channel for a convolution), and the activations are quantized on
// the fly, row by row, as PyTorch's torch.quantization.quantize_dynamic
// does; a convolution's rows are its patches, one per output position.
// Grouped and depthwise Conv2d, Conv1d and ConvTranspose2d stay float32.
//
// The weights shrink fourfold and a forward pass runs in integer
// arithmetic (AVX-512 VNNI or AVX2 where the CPU has them). A quantized
// model saves, loads, predicts and evaluates like any other (train.LoadModel,
// Model.Predict, bigfunc predict and eval); it does not train.
//
// # The file
//
// A quantized Linear at position i of the architecture becomes the layer
// linear_int8, with the tensors
//
//	i.weight        I8  [out, in]   whole numbers in −127…127
//	i.weight_scale  F32 [out]       W[o][k] ≈ weight_scale[o] · weight[o][k]
//	i.bias          F32 [out]       unchanged
//
// and a quantized Conv2d becomes conv2d_int8, with
//
//	i.weight        I8  [out, in, kh, kw]   whole numbers in −127…127
//	i.weight_scale  F32 [out]               one scale over the in·kh·kw weights of each output channel
//	i.bias          F32 [out]               unchanged
//
// and the metadata key bigfunc.quantized = "int8". Other layers keep
// their float32 tensors.
package quant
