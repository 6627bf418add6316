// Package serve answers predictions of a tabular.Model over HTTP: the Open
// Inference Protocol (KServe V2 REST) and a CSV endpoint.
//
// # What it owns, and what it must not do
//
// The HTTP contract — routes, request decoding, bounded bodies, JSON errors
// — over tabular.Model's PredictColumns and Predict. It computes no
// prediction itself (tabular and nn do), trains nothing, and names no
// command-line flag: the command's words come in through Options.Hints.
//
// # Endpoints
//
//	GET  /v2                     server metadata: name, version, extensions
//	GET  /v2/health/live         {"live":true}
//	GET  /v2/health/ready        {"ready":true}
//	GET  /v2/models/{name}       metadata: inputs and outputs
//	GET  /v2/models/{name}/ready {"name":…,"ready":true}
//	POST /v2/models/{name}/infer KServe V2 inference request
//	POST /predict                CSV in, the CSV of train predict out
//
// The inference request has one input per feature column of the training
// table, named as the column, with datatype FP32 (FP64 for a float64 model)
// for a numeric column — JSON numbers, null for a missing value — or BYTES
// for a text column — JSON strings, "" for a missing value —, shape [N, 1]
// or [N] and flat data of N values: the contract of the model's ONNX export
// (tabular.Model.WriteONNX). The request is decoded in one pass from the
// JSON token stream into columns for tabular.Model.PredictColumns, which
// encodes them as train predict reads the same rows from CSV, and runs the
// network on the request's goroutine: the answers are those of train
// predict on the same rows. A classifier answers label (BYTES, [N])
// and probabilities (FP32 or FP64, [N, classes], row-major); a regression
// answers value ([N, targets]). A request's "outputs" selects which of
// them the response holds. Numbers are the shortest decimals that
// round-trip in the model's precision.
//
// # Errors
//
// Every error is a JSON object {"error": "…"} with Content-Type
// application/json: 400 for a bad request (bad JSON, a missing, unknown or
// repeated input, a wrong datatype or shape, data of the wrong length, or a
// table that Predict refuses, such as an unseen category with
// Options.Strict), 404 for another model name or an unknown path, 405 for
// a wrong method, 413 for a body over Options.MaxBody (refused unread when
// its Content-Length says so; for /predict, a gzip body inflated over it)
// or more rows than Options.MaxRows, 503 with Retry-After when the bodies
// in flight leave no room (see Options.QueueWait), 500 for anything else,
// a panic included.
//
// # Memory
//
// The bodies held at once are bounded by twice Options.MaxBody; an
// inference request's values are decoded into slices sized from its
// shapes (bounded by what the body can hold), and answers are written as
// they are encoded. After a burst of large bodies the memory is handed
// back to the system.
package serve
