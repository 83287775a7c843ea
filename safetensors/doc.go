// Package safetensors reads and writes tensors in the safetensors format,
// the file format PyTorch and the Hugging Face tools use to exchange
// weights without pickle. A file written by Save loads with
// safetensors.torch.load_file, and a state_dict that PyTorch saved loads
// with Load.
//
// # The format
//
// A safetensors file has three parts:
//
//  1. 8 bytes: N, the length of the header, as a little-endian uint64.
//  2. N bytes: the header, a UTF-8 JSON object. Each tensor has an entry
//     {"dtype": "F32", "shape": [5, 3], "data_offsets": [begin, end]}
//     keyed by its name; an optional "__metadata__" entry maps strings to
//     strings. The header may end with spaces, which writers use to align
//     the data that follows.
//  3. The data buffer. Each tensor's elements are stored little-endian in
//     row-major order in buffer[begin:end]; offsets count from the start of
//     the buffer, not of the file.
//
// Decode enforces the rules of the reference implementation, so that a file
// this package accepts also loads in PyTorch: the header is at most 100 MB of
// valid UTF-8, every entry has exactly the expected fields, end-begin equals
// the element count times the dtype's size, and the tensors, sorted by
// offset, tile the buffer from its first byte to its last with no gap and no
// overlap. Decode also rejects duplicate names, which a JSON parser would
// otherwise resolve silently by keeping the last one.
//
// # Data types
//
// Tensors in this module are float32, so Encode writes F32, except for
// the tensors File.Int64 and File.Int8 name, which hold whole numbers and
// are written as I64 (PyTorch's integer buffers) and I8 (the weights of
// an int8 quantized model). Decode reads F32 as is and converts F64, F16
// and BF16 to float32, because PyTorch users often save weights in half
// precision, and I64 and I8 exactly. Other integer and boolean tensors
// (I32, U8, BOOL, ...) have no float32 meaning here and make Decode fail,
// naming the tensor and its dtype.
//
// # PyTorch names
//
// The names are a model's state_dict keys. torch.nn.Sequential numbers its
// children, so Sequential(Linear(3, 5), ReLU(), Linear(5, 2)) has the tensors
// "0.weight" [5 3], "0.bias" [5], "2.weight" [2 5] and "2.bias" [2]; the
// ReLU at index 1 has no parameters. A Linear weight has shape [out, in], as
// in PyTorch, so y = x·Wᵀ + b. The nn package uses the same names, which is
// what lets weights move between the two without renaming or transposing.
package safetensors
