// Package quant turns a trained float32 model into an int8 one for
// inference: the weights of every Linear layer are rounded to int8 with
// one symmetric scale per output, and the activations are quantized on the
// fly, row by row, as PyTorch's torch.quantization.quantize_dynamic does.
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
// and the metadata key bigfunc.quantized = "int8". Other layers keep
// their float32 tensors.
package quant
