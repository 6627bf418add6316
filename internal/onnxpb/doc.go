// Package onnxpb holds the Go types of the ONNX protobuf messages
// (ModelProto, GraphProto, NodeProto, TensorProto…), generated from
// onnx.proto3 by protoc-gen-go (google.golang.org/protobuf). It is what
// tabular's ONNX export fills and marshals; nothing here is written by
// hand.
//
// onnx.proto3 is ONNX 1.12.0's IR definition (IR version 8, which also
// reads and writes the IR 7 models the export makes) in proto3 syntax, made
// from Debian's python3-onnx 1.12.0 (bookworm) with ONNX's own
// gen_proto.py, without the ONNX-ML extensions (which add types the export
// does not use; the ai.onnx.ml operators need none of them):
//
//	/usr/bin/python3 -c "import sys; from onnx.gen_proto import translate, autogen_header; \
//	  src = open('/usr/lib/python3/dist-packages/onnx/onnx.in.proto').read(); \
//	  sys.stdout.write(autogen_header + translate(src, proto=3, onnx_ml=False, package_name='onnx'))" > onnx.proto3
//
// onnx.proto3.pb.go was generated from it with protoc 3.21.12 (Debian's
// protobuf-compiler) and protoc-gen-go v1.36.12 (go install
// google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12), both on PATH,
// by the generate directive below (go generate ./internal/onnxpb):
//
//	protoc --go_out=. --go_opt=paths=source_relative \
//	  --go_opt=Monnx.proto3=github.com/densetrain/densetrain/internal/onnxpb onnx.proto3
//
// .ci/run checks that doing so again gives this file.
package onnxpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go_opt=Monnx.proto3=github.com/densetrain/densetrain/internal/onnxpb onnx.proto3
