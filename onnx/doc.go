// Package onnx writes bigfunc models as ONNX graphs and reads ONNX graphs
// back into bigfunc models, in pure Go.
//
// Export turns each layer, as the layer protocol describes it (op name,
// options, parameters and buffers under their state_dict names), into the
// standard ONNX operator that computes it at the chosen opset, or an exact
// composition of standard operators where there is none (GELU through Erf
// below opset 20, for example). The batch dimension is symbolic. Options
// fold the fitted input scaler into the graph and append a decoder.
//
// Import reads graphs made of the supported operators, as Export and
// PyTorch's torch.onnx.export write them for MLPs and CNNs, into a
// train.Model: it recognises Gemm and MatMul+Add, Conv, pooling,
// BatchNormalization in inference form, Flatten, Reshape with constant
// shapes, residual additions and the activations. Files are checked
// before anything is allocated for them: an unsupported operator, a
// cycle, a missing initializer, external data or an oversized tensor is
// a one-line error, never a panic.
//
// The sequence and Kolmogorov–Arnold layers (embedding, positional,
// multihead_attention, transformer_encoder_layer, kan_linear) export as
// exact compositions of standard operators; a token model's graph takes
// int64 ids [batch, seq] with a free length where its layers allow one.
// Import reads these layers back from Export's own files only, by
// writing the layer each node's doc_string names again and accepting the
// nodes only if they are that graph, node for node.
//
// Opsets MinOpset (13) to MaxOpset (21) are supported both ways; Export
// writes DefaultOpset (17) unless told otherwise.
package onnx
