// Package onnxpb holds the Go types of the ONNX protobuf schema, generated
// by protoc-gen-go from onnx.proto3.
//
// onnx.proto3 is copied unchanged from the ONNX project (github.com/onnx/onnx,
// file onnx/onnx.proto3 at commit f7546912001bc31e92a238b17068a21b373d882e,
// version 1.23.0 in development), © the ONNX Project Contributors, under
// the Apache License 2.0 (SPDX-License-Identifier: Apache-2.0, as its header
// says). It defines IR version 13; bigfunc writes older IR versions, whose
// messages are a subset.
//
// Regenerate with gen.sh; TestGenerated checks that the .pb.go matches the
// .proto3 it records a checksum of, and, where protoc and the same
// protoc-gen-go are installed, that regenerating gives the same file.
package onnxpb

//go:generate sh gen.sh
