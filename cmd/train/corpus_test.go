package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badCase is one entry of the bad-input corpus: a command line (BAD/ is
// testdata/bad/, OUT an existing output file, GEN/ a file the test makes)
// and the fragments its one-line error must hold.
type badCase struct {
	name string
	args string
	want []string
}

// badCorpus drives the CLI over testdata/bad: CSV files, model files and
// flags. Every case must exit with 2, print exactly one line on stderr with
// the file and position or the flag, no stack trace, nothing on stdout, and
// leave an existing output file byte for byte as it was.
var badCorpus = []badCase{
	// CSV files given to fit
	{"ragged row, short", "fit --data BAD/ragged_short.csv", []string{"ragged_short.csv:3:4:", "row has 2 fields, the header has 3"}},
	{"ragged row, long", "fit --data BAD/ragged_long.csv", []string{"ragged_long.csv:3:7:", "row has 4 fields"}},
	{"ragged row, CRLF", "fit --data BAD/ragged_crlf.csv", []string{"ragged_crlf.csv:3:4:"}},
	{"empty cell, imputation off", "fit --data BAD/empty_cell.csv --impute error", []string{"empty_cell.csv:2:3:", `missing value in column "b"`}},
	{"text in a regression target", "fit --data BAD/text_regression_target.csv --task regress", []string{"text_regression_target.csv:3:", `"abc"`}},
	{"NaN feature, imputation off", "fit --data BAD/nan_feature.csv --impute error", []string{"nan_feature.csv:2:3:", "missing value"}},
	{"-Inf feature", "fit --data BAD/inf_feature.csv", []string{"inf_feature.csv:3:3:", `"-Inf"`}},
	{"NaN target leaves one class", "fit --data BAD/nan_target.csv", []string{"nan_target.csv", "single class"}},
	// Messy tables that still cannot be trained as they are
	{"numbers and text in a column", "fit --data BAD/mixed_column.csv", []string{"mixed_column.csv:4:3:", `column "b" mixes numbers and text (3 numbers, 1 text values, the first "?" here)`, `--na "?"`, "--categorical b"}},
	{"identifier column", "fit --data BAD/identifier.csv", []string{"identifier.csv:", `column "id" has a distinct text value in every row (24)`, "--ignore id"}},
	{"too many categories", "fit --data BAD/identifier.csv --categorical id --max-categories 10", []string{"identifier.csv:12:1:", `column "id" has more than 10 distinct values`, "--ignore id"}},
	{"Latin-1 text", "fit --data BAD/latin1.csv", []string{"latin1.csv:3:2:", "byte 0xFC is not UTF-8 text"}},
	{"no feature columns", "fit --data BAD/ok.csv --ignore a,b", []string{"ok.csv:1:", "no feature columns"}},
	{"unknown ignored column", "fit --data BAD/ok.csv --ignore zz", []string{"ok.csv:1:", `ignored column "zz" not found`}},
	{"unknown categorical column", "fit --data BAD/ok.csv --categorical zz", []string{"ok.csv:1:", `categorical column "zz" not found`}},
	{"every target missing", "fit --data BAD/all_targets_missing.csv", []string{"all_targets_missing.csv:", "every row has a missing target"}},
	{"damaged gzip", "fit --data BAD/truncated.csv.gz", []string{"truncated.csv.gz:", "gzip:"}},
	{"gzip of a ragged table", "fit --data BAD/ragged.csv.gz", []string{"ragged.csv.gz:3:4:", "row has 2 fields"}},
	{"semicolons with a ragged row", "fit --data BAD/semicolon_ragged.csv", []string{"semicolon_ragged.csv:3:7:", "row has 4 fields"}},
	{"bad --impute", "fit --data BAD/ok.csv --impute mode", []string{"--impute"}},
	{"bad --scale-target", "fit --data BAD/ok.csv --scale-target minmax", []string{"--scale-target"}},
	{"bad --delimiter", "fit --data BAD/ok.csv --delimiter ;;", []string{"--delimiter"}},
	{"a long --delimiter is cut short in its message", "fit --data BAD/ok.csv --delimiter ,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", []string{"--delimiter \",,,,,,,,\"… (30 bytes)"}},
	{"--delimiter that is part of numbers", "fit --data BAD/ok.csv --delimiter .", []string{"--delimiter", "'.' is part of numbers"}},
	{"--max-categories -1", "fit --data BAD/ok.csv --max-categories -1", []string{"--max-categories -1"}},
	{"unseen category with --strict", "predict --model GEN/cat.safetensors --data BAD/unseen_category.csv --strict", []string{"unseen_category.csv:3:1:", `category "purple" of column "color" was not seen in training`}},
	{"missing value for a model without imputation", "predict --model GEN/noimpute.safetensors --data BAD/empty_cell.csv", []string{"empty_cell.csv:2:3:", "missing value"}},
	{"number out of range", "fit --data BAD/overflow.csv", []string{"overflow.csv:2:3:", `"1e400"`}},
	{"beyond float32", "fit --data BAD/beyond_float32.csv", []string{"beyond_float32.csv:2:3:", "beyond the range of float32"}},
	{"regression target beyond float32", "fit --data BAD/target_beyond_float32.csv --task regress", []string{"target_beyond_float32.csv:3:", "beyond the range of float32"}},
	{"BOM in the middle", "fit --data BAD/bom_in_middle.csv", []string{"bom_in_middle.csv:3:3:", "byte-order mark"}},
	{"unterminated quote", "fit --data BAD/unterminated_quote.csv", []string{"unterminated_quote.csv:3:3:", "quoted field not terminated"}},
	{"bare quote", "fit --data BAD/bare_quote.csv", []string{"bare_quote.csv:2:4:", `bare "`}},
	{"header only", "fit --data BAD/header_only.csv", []string{"header_only.csv:2:", "no data rows"}},
	{"empty file", "fit --data BAD/empty.csv", []string{"empty.csv:1:", "empty file"}},
	{"blank lines only", "fit --data BAD/blank_lines_only.csv", []string{"blank_lines_only.csv:1:", "empty file"}},
	{"binary file", "fit --data BAD/binary.csv", []string{"binary.csv:", "NUL byte"}},
	{"10 MB single line", "fit --data GEN/long_line.csv", []string{"long_line.csv:2:3:", "NaN and Inf"}},
	{"duplicate column names", "fit --data BAD/duplicate_columns.csv", []string{"duplicate_columns.csv:1:", `duplicate column name "a"`}},
	{"empty column name", "fit --data BAD/empty_column_name.csv", []string{"empty_column_name.csv:1:", "empty name"}},
	{"one class", "fit --data BAD/one_class.csv", []string{"one_class.csv", "single class"}},
	{"unknown target", "fit --data BAD/ok.csv --target zz", []string{"ok.csv:1:", `target column "zz" not found`}},
	{"target index out of range", "fit --data BAD/ok.csv --target 7", []string{"ok.csv:1:", `target column "7" not found`}},
	{"missing data file", "fit --data BAD/no_such_file.csv", []string{"no_such_file.csv", "no such file"}},
	{"validation file with other columns", "fit --data BAD/ok.csv --val BAD/val_other_columns.csv", []string{"val_other_columns.csv:1:", `"y" not found`}},
	{"validation file with an unseen class", "fit --data BAD/ok.csv --val BAD/val_unseen_class.csv", []string{"val_unseen_class.csv:3:", `in target column "y": class label not seen`}},
	// CSV files given to predict and evaluate
	{"predict: missing feature column", "predict --model BAD/model_good_iris.safetensors --data BAD/iris_missing_column.csv --out OUT", []string{"iris_missing_column.csv:1:", `"petal_width_cm"`}},
	{"predict: text in a numeric column", "predict --model BAD/model_good_iris.safetensors --data BAD/iris_text_in_numeric.csv --out OUT", []string{"iris_text_in_numeric.csv:3:1:", `"x"`}},
	{"evaluate: unseen class", "evaluate --model BAD/model_good_iris.safetensors --data BAD/iris_unseen_class.csv", []string{"iris_unseen_class.csv:3:", "class label not seen"}},
	// model files given to predict
	{"model truncated", "predict --model BAD/model_truncated.safetensors --data IRIS --out OUT", []string{"model_truncated.safetensors", "truncated"}},
	{"model empty", "predict --model BAD/model_empty.safetensors --data IRIS --out OUT", []string{"model_empty.safetensors", "too short"}},
	{"model of five bytes", "predict --model BAD/model_short.safetensors --data IRIS --out OUT", []string{"model_short.safetensors", "too short"}},
	{"model: a weight's bit flipped", "predict --model BAD/model_flipped_data.safetensors --data IRIS --out OUT", []string{"model_flipped_data.safetensors", "checksum mismatch"}},
	{"model: a header byte flipped", "predict --model BAD/model_flipped_header.safetensors --data IRIS --out OUT", []string{"model_flipped_header.safetensors", "not valid JSON"}},
	{"model: broken JSON", "predict --model BAD/model_bad_json.safetensors --data IRIS --out OUT", []string{"model_bad_json.safetensors", "not valid JSON"}},
	{"model: header length 2^60", "predict --model BAD/model_huge_header_length.safetensors --data IRIS --out OUT", []string{"model_huge_header_length.safetensors", "header length"}},
	{"model: lying offsets", "predict --model BAD/model_lying_offsets.safetensors --data IRIS --out OUT", []string{"model_lying_offsets.safetensors", "byte offsets"}},
	{"model: overlapping tensors", "predict --model BAD/model_overlapping_offsets.safetensors --data IRIS --out OUT", []string{"model_overlapping_offsets.safetensors", "overlap"}},
	{"model: wrong dtype", "predict --model BAD/model_wrong_dtype.safetensors --data IRIS --out OUT", []string{"model_wrong_dtype.safetensors", `dtype "I32"`}},
	{"model: mixed dtypes", "predict --model BAD/model_mixed_dtype.safetensors --data IRIS --out OUT", []string{"model_mixed_dtype.safetensors", "overlap or leave a gap"}},
	{"model: 10^12-element tensor", "predict --model BAD/model_huge_shape.safetensors --data IRIS --out OUT", []string{"model_huge_shape.safetensors", "larger than the file"}},
	{"model: negative shape", "predict --model BAD/model_negative_shape.safetensors --data IRIS --out OUT", []string{"model_negative_shape.safetensors", "negative dimension"}},
	{"model: format version from the future", "predict --model BAD/model_future_version.safetensors --data IRIS --out OUT", []string{"model_future_version.safetensors", "newer than this program reads"}},
	{"model: another format", "predict --model BAD/model_other_format.safetensors --data IRIS --out OUT", []string{"model_other_format.safetensors", `format "pytorch"`}},
	{"model: no metadata", "predict --model BAD/model_no_metadata.safetensors --data IRIS --out OUT", []string{"model_no_metadata.safetensors", "__metadata__"}},
	{"model: architecture does not match the weights", "predict --model BAD/model_arch_mismatch.safetensors --data IRIS --out OUT", []string{"model_arch_mismatch.safetensors", "layer 0 (dense, 4×4) claims 15 parameters, not 20"}},
	{"model: architecture of 10^12 inputs", "predict --model BAD/model_arch_huge.safetensors --data IRIS --out OUT", []string{"model_arch_huge.safetensors", "1000000000000 inputs"}},
	{"model: unknown activation", "predict --model BAD/model_arch_unknown_activation.safetensors --data IRIS --out OUT", []string{"model_arch_unknown_activation.safetensors", `"swish"`}},
	{"model: wrong checksum", "predict --model BAD/model_bad_checksum.safetensors --data IRIS --out OUT", []string{"model_bad_checksum.safetensors", "checksum mismatch"}},
	{"model: bad preprocessing", "predict --model BAD/model_bad_preprocessing.safetensors --data IRIS --out OUT", []string{"model_bad_preprocessing.safetensors", "preprocessing"}},
	{"model: a tensor missing", "predict --model BAD/model_missing_tensor.safetensors --data IRIS --out OUT", []string{"model_missing_tensor.safetensors", "the tensors hold 24"}},
	{"model: a checkpoint instead", "predict --model BAD/checkpoint_iris.ckpt --data IRIS --out OUT", []string{"checkpoint_iris.ckpt", `"densetrain-checkpoint"`}},
	{"model: a CSV instead", "predict --model BAD/ok.csv --data IRIS --out OUT", []string{"ok.csv: not a densetrain model file"}},
	{"model: missing file", "evaluate --model BAD/no_such_model --data IRIS", []string{"no_such_model", "no such file"}},
	// flags
	{"unknown command", "frobnicate", []string{`unknown command "frobnicate"`}},
	{"unknown flag", "fit --data BAD/ok.csv --bogus", []string{"-bogus"}},
	{"flag without its value", "fit --data BAD/ok.csv --epochs", []string{"-epochs"}},
	{"missing --data", "fit", []string{"--data is required"}},
	{"negative epochs", "fit --data BAD/ok.csv --epochs -1", []string{"--epochs -1"}},
	{"batch -1", "fit --data BAD/ok.csv --batch -1", []string{"--batch -1"}},
	{"workers -1", "fit --data BAD/ok.csv --workers -1", []string{"--workers -1", "want 0 (one per CPU) or more"}},
	{"val-split 1.5", "fit --data BAD/ok.csv --val-split 1.5", []string{"--val-split 1.5"}},
	{"val-split and val", "fit --data BAD/ok.csv --val-split 0.2 --val BAD/ok.csv", []string{"--val-split 0.2", "a validation split or a validation table, not both"}},
	{"negative learning rate", "fit --data BAD/ok.csv --lr -1", []string{"--lr -1"}},
	{"precision f16", "fit --data BAD/ok.csv --precision f16", []string{"--precision"}},
	{"scale quantile", "fit --data BAD/ok.csv --scale quantile", []string{"--scale", "want standard, minmax, robust or none"}},
	{"hidden sizes not numbers", "fit --data BAD/ok.csv --hidden a,b", []string{"--hidden"}},
	{"unknown activation", "fit --data BAD/ok.csv --activation swish", []string{"--activation"}},
	{"unknown optimizer", "fit --data BAD/ok.csv --optimizer lion", []string{"lion"}},
	{"unknown loss", "fit --data BAD/ok.csv --loss hinge", []string{"--loss"}},
	{"history not csv or jsonl", "fit --data BAD/ok.csv --history h.txt", []string{"--history"}},
	{"plot not png", "fit --data BAD/ok.csv --plot p.jpg", []string{"--plot"}},
	{"empty out", "fit --data BAD/ok.csv --out=", []string{"--out"}},
	{"--mpi in a build without MPI", "fit --data BAD/ok.csv --mpi", []string{"--mpi", "without MPI support"}},
	{"--mpi-allreduce in a build without MPI", "fit --data BAD/ok.csv --mpi-allreduce", []string{"--mpi", "without MPI support"}},
	{"resume without checkpoints", "fit --data BAD/ok.csv --resume", []string{"--resume"}},
	{"unwritable fit output", "fit --data BAD/ok.csv --epochs 1 --out GEN/no/such/dir/m", []string{"no/such/dir/m"}},
	{"predict without --model", "predict --data IRIS --out OUT", []string{"--model"}},
	{"unwritable predictions", "predict --model BAD/model_good_iris.safetensors --data IRIS --out GEN/no/dir/p.csv", []string{"no/dir/p.csv"}},
	// hardening, round 2 (issue 12)
	{"model: a directory", "predict --model BAD/. --data IRIS --out OUT", []string{"bad/.: is a directory"}},
	{"checkpoint of another architecture", "fit --data IRIS --epochs 3 --out GEN/other --checkpoint-every 1 --resume --hidden 5", []string{"other.ckpt:", "another architecture"}},
	{"checkpoint for other options", "fit --data IRIS --epochs 3 --out GEN/other --checkpoint-every 1 --resume --batch 7", []string{"other.ckpt:", "other data or other training options"}},
	{"checkpoint for other data", "fit --data GEN/iris_changed.csv --epochs 3 --out GEN/other --checkpoint-every 1 --resume", []string{"other.ckpt:"}},
	{"truncated checkpoint", "fit --data IRIS --epochs 3 --out GEN/trunc --checkpoint-every 1 --resume", []string{"trunc.ckpt:", "checkpoint"}},
	{"predict: a value beyond float32", "predict --model GEN/noimpute.safetensors --data GEN/huge_value.csv --out OUT", []string{"huge_value.csv:3:1:", "beyond the range of float32", "train with --precision f64"}},
	{"predict: beyond float32 once scaled", "predict --model GEN/tiny.safetensors --data GEN/tiny_far.csv --out OUT", []string{"tiny_far.csv:2:", `column "a"`, "beyond the model's precision once scaled"}},
	{"--lr NaN", "fit --data BAD/ok.csv --lr NaN", []string{"--lr NaN"}},
	{"--lr +Inf", "fit --data BAD/ok.csv --lr +Inf", []string{"--lr +Inf"}},
	{"--epochs beyond the bound", "fit --data BAD/ok.csv --epochs 9223372036854775807", []string{"--epochs 9223372036854775807", "at most"}},
	{"--hidden with an empty item", "fit --data BAD/ok.csv --hidden 8,,4", []string{"--hidden"}},
	{"--hidden with a trailing comma", "fit --data BAD/ok.csv --hidden 8,", []string{"--hidden"}},
	{"--hidden of 10^9 units", "fit --data BAD/ok.csv --hidden 1000000000", []string{"2-1000000000-2 network", "memory", "smaller hidden layers"}},
	{"--hidden of 2^63-1 units", "fit --data BAD/ok.csv --hidden 9223372036854775807", []string{"memory", "smaller hidden layers"}},
	{"--target with an empty item", "fit --data BAD/ok.csv --target y,", []string{"--target"}},
	// regularization flags (issue 13)
	{"--dropout 1", "fit --data BAD/ok.csv --dropout 1", []string{`--dropout "1"`, "[0, 1)"}},
	{"--dropout with more rates than layers", "fit --data BAD/ok.csv --hidden 8,4 --dropout 0.5,0.5,0.5", []string{"3 rates for 2 hidden layers"}},
	{"--dropout without hidden layers", "fit --data BAD/ok.csv --hidden= --dropout 0.5", []string{"no hidden layers"}},
	{"--dropout with an empty item", "fit --data BAD/ok.csv --dropout 0.5,", []string{"--dropout"}},
	{"--input-dropout -0.1", "fit --data BAD/ok.csv --input-dropout -0.1", []string{"--input-dropout -0.1"}},
	{"--numeric-embedding plr", "fit --data BAD/ok.csv --numeric-embedding plr", []string{"--numeric-embedding", "want none or pbld"}},
	{"--feature-scale with --numeric-embedding", "fit --data BAD/ok.csv --numeric-embedding pbld --feature-scale 6", []string{"--feature-scale 6", "numeric embedding"}},
	{"--feature-scale 1e-300", "fit --data BAD/ok.csv --feature-scale 1e-300", []string{"--feature-scale 1e-300", "learning-rate factor"}},
	{"--l1 NaN", "fit --data BAD/ok.csv --l1 NaN", []string{"--l1 NaN"}},
	{"--l2 -1", "fit --data BAD/ok.csv --l2 -1", []string{"--l2 -1"}},
	{"--max-norm +Inf", "fit --data BAD/ok.csv --max-norm +Inf", []string{"--max-norm +Inf"}},
	{"--lr-schedule step", "fit --data BAD/ok.csv --lr-schedule step", []string{`--lr-schedule "step"`}},
	// round 3: flags (issue 26)
	{"--lr 0", "fit --data BAD/ok.csv --lr 0", []string{"--lr 0", "positive"}},
	{"xor --lr NaN", "xor --lr NaN", []string{"--lr NaN"}},
	{"xor --lr +Inf", "xor --lr +Inf", []string{"--lr +Inf"}},
	{"xor --lr 0", "xor --lr 0", []string{"--lr 0"}},
	{"predict: an answer beyond float32", "predict --model GEN/huge.safetensors --data GEN/huge_far.csv --out OUT", []string{"huge_far.csv:3:", `target "y"`, "beyond the range of float32"}},
	{"serve --addr of a colon alone", "serve --model BAD/model_good_iris.safetensors --addr :", []string{`--addr ":"`, "HOST:PORT"}},
	{"a regression target with a stray word", "fit --data GEN/stray_text.csv", []string{"stray_text.csv:103:", `target column "y" holds numbers and text (101 numbers, 1 text values, the first "abc" here)`, "--na abc", "--task classify"}},
	{"float64: a span no scaling holds", "fit --data GEN/span.csv --precision f64 --scale minmax", []string{"span.csv:", `column "x": its values span more than float64 can hold`}},
	{"evaluate: an answer beyond float32", "evaluate --model GEN/huge.safetensors --data GEN/huge_far.csv --json", []string{"huge_far.csv:3:", `target "y"`, "beyond the range of float32"}},
	// round 3: model file
	{"model: a scaling mean's byte flipped", "predict --model BAD/model_flipped_mean.safetensors --data IRIS --out OUT", []string{"model_flipped_mean.safetensors:", "checksum mismatch: the header or the tensor data is damaged"}},
	{"model: the label order swapped", "evaluate --model BAD/model_swapped_labels.safetensors --data IRIS", []string{"model_swapped_labels.safetensors:", "checksum mismatch"}},
	{"model: an activation changed", "summary --model BAD/model_flipped_activation.safetensors", []string{"model_flipped_activation.safetensors:", "checksum mismatch"}},
	{"export: a scaling mean's byte flipped", "export --model BAD/model_flipped_mean.safetensors --out GEN/flipped.onnx", []string{"model_flipped_mean.safetensors:", "checksum mismatch"}},
	{"model: random bytes", "summary --model BAD/model_random_bytes.safetensors", []string{"model_random_bytes.safetensors: not a densetrain model file"}},
	{"serve: a CSV instead of a model", "serve --model BAD/ok.csv --addr 127.0.0.1:0", []string{"ok.csv: not a densetrain model file"}},
	{"checkpoint: a CSV instead", "fit --data IRIS --epochs 3 --out GEN/table --checkpoint-every 1 --resume", []string{"table.ckpt: not a densetrain checkpoint"}},
	{"serve: an activation changed", "serve --model BAD/model_flipped_activation.safetensors --addr 127.0.0.1:0", []string{"model_flipped_activation.safetensors:", "checksum mismatch"}},
	// round 3: serve
	{"serve --addr empty", "serve --model BAD/model_good_iris.safetensors --addr=", []string{`--addr ""`, "HOST:PORT"}},
	{"serve --addr without a port", "serve --model BAD/model_good_iris.safetensors --addr 127.0.0.1", []string{`--addr "127.0.0.1"`, "HOST:PORT"}},
	// round 3: onnx export
	// model_padded_category.safetensors: train fit --hidden 2 --epochs 1 on
	// color,x,y with quoted "red " cells, by a csvdata that kept the spaces
	// of quoted cells (the csvdata of round 2).
	{"export: a category with surrounding spaces", "export --model BAD/model_padded_category.safetensors --out OUT",
		[]string{"--model ", "model_padded_category.safetensors: onnx export: column \"color\": category \"red \" has surrounding spaces or tabs"}},
	// round 3: csvmem
	{"a long value is cut short in its message", "fit --data BAD/csvmem_long_value.csv", []string{"csvmem_long_value.csv:4:3:", `the first "xxxxxxxxxxxxxxxxxxxxxxxxxx"… (100 bytes) here`}},
	{"endless zeros from a device", "fit --data /dev/zero", []string{"/dev/zero:1:1:", "NUL byte"}},
	// round 3: text (fixtures made by testdata/bad/make_text.py)
	{"UTF-16LE with a byte-order mark", "fit --data BAD/text_utf16le_bom.csv", []string{"text_utf16le_bom.csv:1:1: UTF-16LE text (byte-order mark FF FE), not UTF-8", "iconv -f UTF-16 -t UTF-8"}},
	{"UTF-16LE without a byte-order mark", "fit --data BAD/text_utf16le.csv", []string{"text_utf16le.csv:1:1: UTF-16LE text (no byte-order mark)", "iconv -f UTF-16LE -t UTF-8"}},
	{"UTF-16BE with a byte-order mark", "fit --data BAD/text_utf16be_bom.csv", []string{"text_utf16be_bom.csv:1:1: UTF-16BE text (byte-order mark FE FF)", "iconv -f UTF-16 -t UTF-8"}},
	{"UTF-16BE without a byte-order mark", "predict --model BAD/model_good_iris.safetensors --data BAD/text_utf16be.csv --out OUT", []string{"text_utf16be.csv:1:1: UTF-16BE text (no byte-order mark)", "iconv -f UTF-16BE -t UTF-8"}},
	{"UTF-32LE with a byte-order mark", "fit --data BAD/text_utf32le_bom.csv", []string{"text_utf32le_bom.csv:1:1: UTF-32LE text (byte-order mark FF FE 00 00)", "iconv -f UTF-32 -t UTF-8"}},
	{"UTF-32BE without a byte-order mark", "fit --data BAD/text_utf32be.csv", []string{"text_utf32be.csv:1:1: UTF-32BE text (no byte-order mark)", "iconv -f UTF-32BE -t UTF-8"}},
	{"CR-only line ends", "fit --data BAD/text_cr_only.csv", []string{"text_cr_only.csv:1:6: line ends are CR alone (old Mac text), not LF or CRLF", `tr '\r' '\n'`}},
	{"gzip with trailing garbage", "fit --data BAD/text_trailing_garbage.csv.gz", []string{"text_trailing_garbage.csv.gz: trailing garbage after the gzip data, at byte 42", "head -c 42"}},
	{"gzip with zeros, then garbage", "fit --data BAD/text_zeros_then_garbage.csv.gz --val BAD/text_trailing_garbage.csv.gz", []string{"text_zeros_then_garbage.csv.gz: trailing garbage after the gzip data, at byte 50"}},
	{"serve --max-rows 0", "serve --model BAD/model_good_iris.safetensors --max-rows 0", []string{"--max-rows must be > 0"}},
	{"serve --drain-timeout 0", "serve --model BAD/model_good_iris.safetensors --drain-timeout 0s", []string{"--drain-timeout must be > 0"}},
	// round 3: hints
	{"identifier column named with a comma", "fit --data BAD/hints_comma_name.csv", []string{"hints_comma_name.csv:", `column "id,code" has a distinct text value`, `--ignore '"id,code"'`, `--categorical '"id,code"'`}},
	{"identifier column named with a newline", "fit --data BAD/hints_newline_name.csv", []string{"hints_newline_name.csv:", `column "id\nx" has a distinct text value`, `--ignore $'"id\nx"'`}},
	{"unknown column among names with a newline", "fit --data BAD/hints_newline_name.csv --ignore zz", []string{"hints_newline_name.csv:1:", `ignored column "zz" not found (columns: "id\nx", x, y)`}},
	{"--ignore with an open quote", `fit --data BAD/ok.csv --ignore="a`, []string{`--ignore "\"a"`, "quote"}},
	{"--na with a quote in an unquoted item", `fit --data BAD/ok.csv --na=a"b`, []string{`--na "a\"b"`}},
	{"--categorical with an empty quoted item", `fit --data BAD/ok.csv --categorical=a,""`, []string{"--categorical", "empty item"}},
	// the library names Go fields (Config.NA); the command names its flags
	{"hint: --max-categories", "fit --data BAD/identifier.csv --categorical id --max-categories 10", []string{"Leave it out with --ignore id (or raise --max-categories)"}},
	{"hint: --precision f64 for a feature", "fit --data BAD/beyond_float32.csv", []string{"(train with --precision f64 for a float64 model)"}},
	{"hint: --precision f64 for a target", "fit --data BAD/target_beyond_float32.csv --task regress", []string{"(train with --precision f64 for a float64 model)"}},
	{"hint: --na in predict", "predict --model BAD/model_good_iris.safetensors --data BAD/iris_text_in_numeric.csv --out OUT", []string{"(if it means a missing value, declare it with --na)"}},
	{"hint: --na and --categorical", "fit --data BAD/mixed_column.csv", []string{`if "?" means a missing value, declare it with --na "?"; if the column holds categories, declare it with --categorical b`}},
	// issue 27: options (tabular checks the settings once, the command names the flag)
	{"predict --workers -1", "predict --model BAD/model_good_iris.safetensors --data IRIS --out OUT --workers -1", []string{"--workers -1: want 0 (one per CPU) or more"}},
	{"evaluate --workers -1", "evaluate --model BAD/model_good_iris.safetensors --data IRIS --workers -1", []string{"--workers -1: want 0 (one per CPU) or more"}},
	{"--patience -1", "fit --data BAD/ok.csv --patience -1", []string{"--patience -1: want 0 (off) or more"}},
	{"--checkpoint-every -1", "fit --data BAD/ok.csv --checkpoint-every -1", []string{"--checkpoint-every -1: want 0 (none) or more"}},
	{"--hidden 0", "fit --data BAD/ok.csv --hidden 8,0", []string{`--hidden "8,0": want layer sizes of at least 1`}},
	{"--loss for another task", "fit --data BAD/ok.csv --task regress --loss bce", []string{`--loss "bce": does not fit the regress task`}},
	{"--activation unknown", "fit --data BAD/ok.csv --activation swish", []string{`--activation "swish": want linear (or none), sigmoid, tanh, relu, leaky_relu or softmax`}},
	{"--val-split negative", "fit --data BAD/ok.csv --val-split -0.1", []string{"--val-split -0.1: want a fraction in [0, 1)"}},
	{"--loss bce for three classes", "fit --data IRIS --loss bce", []string{`--loss "bce": needs two classes, the target has 3`}},
	{"xor --workers -1", "xor --workers -1", []string{"--workers -1: want 0 (one per CPU) or more"}},
	// issue 27: a worker count beyond cpus.Max (10⁹ goroutines hung predict, evaluate and fit)
	{"fit --workers 1e9", "fit --data BAD/ok.csv --workers 1000000000", []string{"--workers 1000000000: want at most 1024"}},
	{"predict --workers 1e9", "predict --model BAD/model_good_iris.safetensors --data IRIS --out OUT --workers 1000000000", []string{"--workers 1000000000: want at most 1024"}},
	{"evaluate --workers 1e9", "evaluate --model BAD/model_good_iris.safetensors --data IRIS --workers 1000000000", []string{"--workers 1000000000: want at most 1024"}},
	{"xor --workers 1e9", "xor --workers 1000000000", []string{"--workers 1000000000: want at most 1024"}},
	// issue 28: cache
	{"--cache a regular file", "fit --data BAD/ok.csv --cache BAD/ok.csv", []string{`--cache "`, ": not a directory (a regular file)"}},
	{"cache --cache a regular file", "cache --data BAD/ok.csv --cache BAD/ok.csv", []string{`--cache "`, ": not a directory (a regular file)"}},
	{"--cache /dev/null", "fit --data BAD/ok.csv --cache /dev/null", []string{`--cache "/dev/null": not a directory (a character device)`}},
	{"--cache with --data -", "fit --data - --cache GEN/stdin_cache", []string{`--cache "`, ": needs a file to read, not a stream"}},
	{"cache --data -", "cache --data - --cache GEN/stdin_cache", []string{`--cache "`, ": needs a file to read, not a stream"}},
	{"--cache-read bogus", "fit --data BAD/ok.csv --cache GEN/read_cache --cache-read bogus", []string{`--cache-read "bogus": want auto, memory or disk`}},
	{"cache without --cache", "cache --data BAD/ok.csv", []string{"--cache is required"}},
	{"cache without --data", "cache --cache GEN/no_data_cache", []string{"--data is required"}},
	{"--out is the cache's rows.bin", "fit --data BAD/ok.csv --cache GEN/. --out GEN/rows.bin", []string{"--out ", "rows.bin: the same file as --cache's rows.bin, which it would overwrite"}},
	{"--out is the cache's cache.json", "fit --data BAD/ok.csv --cache GEN/. --out GEN/cache.json", []string{"--out ", "cache.json: the same file as --cache's cache.json"}},
	{"cache of a ragged table", "cache --data BAD/ragged_short.csv --cache GEN/ragged_cache --quiet", []string{"ragged_short.csv:3:4:", "row has 2 fields, the header has 3"}},
	{"fit --cache of a ragged table", "fit --data BAD/ragged_short.csv --cache GEN/ragged_cache", []string{"ragged_short.csv:3:4:", "row has 2 fields, the header has 3"}},
	// issue 29: importance
	{"importance --repeats 0", "importance --model BAD/model_good_iris.safetensors --data IRIS --repeats 0", []string{"--repeats 0: want 1 to 1000"}},
	{"importance --repeats -1", "importance --model BAD/model_good_iris.safetensors --data IRIS --repeats -1", []string{"--repeats -1: want 1 to 1000"}},
	{"importance --repeats 1001", "importance --model BAD/model_good_iris.safetensors --data IRIS --repeats 1001", []string{"--repeats 1001: want 1 to 1000"}},
	{"importance --workers -1", "importance --model BAD/model_good_iris.safetensors --data IRIS --workers -1", []string{"--workers -1: want 0 (one per CPU) or more"}},
	{"importance --seed -1", "importance --model BAD/model_good_iris.safetensors --data IRIS --seed -1", []string{"-seed"}},
	{"importance --out without .csv or .json", "importance --model BAD/model_good_iris.safetensors --data IRIS --out OUT", []string{"--out ", "want a .csv or .json file"}},
	{"importance --plot without .png", "importance --model BAD/model_good_iris.safetensors --data IRIS --plot GEN/imp.jpg", []string{`--plot "`, "want a .png file"}},
	{"importance --plot /dev/null", "importance --model BAD/model_good_iris.safetensors --data IRIS --plot /dev/null", []string{`--plot "/dev/null": want a .png file`}},
	{"importance --out is --data", "importance --model BAD/model_good_iris.safetensors --data IRIS --out IRIS", []string{"--out ", "the same file as --data, which it would overwrite"}},
	{"importance --plot in a missing directory", "importance --model BAD/model_good_iris.safetensors --data IRIS --plot GEN/nodir/imp.png", []string{"--plot: ", "no such file or directory"}},
	{"importance without --data", "importance --model BAD/model_good_iris.safetensors", []string{"--model and --data are required"}},
	{"importance: no target column", "importance --model BAD/model_good_iris.safetensors --data BAD/iris_missing_column.csv", []string{"iris_missing_column.csv:1:", `"petal_width_cm"`}},
	{"importance: text in a numeric column", "importance --model BAD/model_good_iris.safetensors --data BAD/iris_text_in_numeric.csv", []string{"iris_text_in_numeric.csv:3:1:", `"x"`, "--na"}},
	{"importance: a CSV instead of a model", "importance --model BAD/ok.csv --data IRIS", []string{"ok.csv: not a densetrain model file"}},
	// issue 29: class and sample weights
	{"--class-weight that is no pair", "fit --data BAD/ok.csv --class-weight y=x", []string{`--class-weight "y=x"`, "want balanced, or LABEL=WEIGHT pairs"}},
	{"--class-weight without a label", "fit --data BAD/ok.csv --class-weight =2", []string{`--class-weight "=2"`, "LABEL=WEIGHT"}},
	{"--class-weight naming a label twice", "fit --data BAD/ok.csv --class-weight 0=1,0=2", []string{`--class-weight "0=1,0=2"`, `class "0" weighed twice`}},
	{"--class-weight naming a class twice by its number", "fit --data BAD/ok.csv --class-weight 0=1,0.0=2", []string{`--class-weight "0=1,0.0=2"`, `"0" and "0.0" name one class`}},
	{"--sample-weight of dates", "fit --data BAD/dates.csv --sample-weight d", []string{`--sample-weight "d": holds dates in `, `dates.csv: want a column of numbers`}},
	{"--class-weight weighing every class 0", "fit --data BAD/ok.csv --class-weight 0=0,1=0", []string{`--class-weight "0=0,1=0": every training row weighs 0: nothing to train on`}},
	{"a target of dates", "fit --data BAD/dates.csv --target d", []string{`dates.csv: target column "d" holds dates, 6 distinct in 6 rows`}},
	{"--class-weight negative", "fit --data BAD/ok.csv --class-weight 0=-1", []string{`--class-weight "0=-1"`, `class "0" weighs -1: want a finite weight ≥ 0`}},
	{"--class-weight of an unknown label", "fit --data BAD/ok.csv --class-weight 0=1,7=2", []string{`--class-weight "0=1,7=2"`, `no class "7" in the target (its classes: "0", "1")`}},
	{"--class-weight for a regression", "fit --data BAD/ok.csv --class-weight balanced --task regress", []string{`--class-weight "balanced"`, "the task is a regression"}},
	{"--sample-weight of no column", "fit --data BAD/ok.csv --sample-weight zz", []string{`--sample-weight "zz"`, "no such column in", `columns: "a", "b", "y"`}},
	{"--sample-weight of the only feature", "fit --data BAD/ok.csv --sample-weight a --ignore b", []string{`--sample-weight "a"`, "the table's only feature column"}},
	{"cv --sample-weight of the only feature", "cv --data BAD/cv_groups.csv --sample-weight x --group grp --folds 3", []string{`--sample-weight "x"`, "the table's only feature column"}},
	{"--sample-weight ignored too", "fit --data BAD/ok.csv --sample-weight a --ignore a", []string{`--sample-weight "a"`, "also named as an ignored column"}},
	{"--sample-weight with --cache", "fit --data BAD/ok.csv --sample-weight a --cache GEN/wcache", []string{`--sample-weight "a"`, "block cache"}},
	{"a missing sample weight", "fit --data BAD/weights_missing.csv --sample-weight w", []string{"weights_missing.csv:3:3:", `sample weight column "w": a missing weight`}},
	{"a negative sample weight", "fit --data BAD/weights_negative.csv --sample-weight w", []string{"weights_negative.csv:4:", `sample weight column "w": weight -0.5`}},
	// issue 29: cross-validation
	{"cv without --data", "cv --folds 3", []string{"--data is required"}},
	{"cv --folds 1", "cv --data BAD/ok.csv --folds 1", []string{"--folds 1: want at least 2 folds"}},
	{"cv --folds -2", "cv --data BAD/ok.csv --folds -2", []string{"--folds -2: want at least 2 folds"}},
	{"cv: more folds than rows", "cv --data BAD/ok.csv --folds 3", []string{"--folds 3: more folds than the 2 rows of", "ok.csv"}},
	{"cv: more folds than any class has", "cv --data BAD/cv_groups.csv --folds 5", []string{"--folds 5: more folds than the members of every class of", "(the largest has 4)"}},
	{"cv: more folds than groups", "cv --data BAD/cv_groups.csv --group grp --folds 4", []string{"--folds 4: more folds than the 3 groups of column \"grp\""}},
	{"cv --group of no column", "cv --data BAD/cv_groups.csv --group zz", []string{`--group "zz": no such column in`, "cv_groups.csv"}},
	{"cv --group that is the target", "cv --data BAD/cv_groups.csv --group y --target y", []string{`--group "y": the group column is also a target`}},
	{"cv --group that is the default target", "cv --data BAD/cv_groups.csv --group y", []string{`--group "y": the group column is also the target (by default the last column)`}},
	{"cv --out that is no JSON file", "cv --data BAD/cv_groups.csv --out GEN/cv.txt", []string{`--out "`, "want a .json file"}},
	{"cv --val", "cv --data BAD/cv_groups.csv --val BAD/cv_groups.csv --folds 2 --epochs 1", []string{`--val "`, "CV validates each fold on a part of its own training rows"}},
	{"cv --class-weight on a regression", "cv --data BAD/cv_groups.csv --task regress --folds 2 --epochs 1 --class-weight balanced", []string{`--class-weight "balanced"`, "regression"}},
	// issue 29: ensembles and robust scaling
	{"--ensemble -1", "fit --data BAD/ok.csv --ensemble -1", []string{"--ensemble -1: want 0 (the default) to 64 networks"}},
	{"--ensemble 65", "fit --data BAD/ok.csv --ensemble 65", []string{"--ensemble 65: want 0 (the default) to 64 networks"}},
	{"--ensemble huge", "fit --data BAD/ok.csv --ensemble 99999999999999999999", []string{"-ensemble"}},
	{"--ensemble with checkpoints", "fit --data BAD/ok.csv --ensemble 2 --checkpoint-every 1", []string{"--ensemble 2: takes no checkpoints"}},
	{"--label-smoothing 1", "fit --data BAD/ok.csv --label-smoothing 1", []string{"--label-smoothing 1: want a fraction in [0, 1)"}},
	{"--label-smoothing NaN", "fit --data BAD/ok.csv --label-smoothing nan", []string{"--label-smoothing NaN: want a fraction in [0, 1)"}},
	{"--label-smoothing on a regression", "fit --data BAD/ok.csv --task regress --label-smoothing 0.1", []string{"--label-smoothing 0.1: smooths the labels of a classification, and the task is regress"}},
}

func TestBadInputCorpus(t *testing.T) {
	bin := binary(t)
	bad, err := filepath.Abs("../../testdata/bad")
	require.NoError(t, err)
	iris, err := filepath.Abs("../../testdata/iris.csv")
	require.NoError(t, err)
	gen := t.TempDir()
	long := "a,b,y\n1," + strings.Repeat("9", 10<<20) + ",0\n3,4,1\n" // a 10 MB number: +Inf
	require.NoError(t, os.WriteFile(filepath.Join(gen, "long_line.csv"), []byte(long), 0o644))
	for name, text := range map[string]string{
		"huge_value.csv":  "a,b,y\n1,2,0\n1e39,4,1\n", // beyond float32
		"tiny.csv":        "a,y\n1e-30,0\n2e-30,1\n3e-30,0\n",
		"tiny_far.csv":    "a,y\n1e10,0\n", // 10^40 training deviations away
		"huge_target.csv": hugeTargets(),   // targets near float32's largest
		"huge_far.csv":    "x,y\n0.5,0\n1e30,0\n",
		"span.csv":        "x,y\n-1e308,0\n1e308,1\n0,0\n",
		"stray_text.csv":  strayTarget(),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(gen, name), []byte(text), 0o644))
	}
	irisText, err := os.ReadFile(iris)
	require.NoError(t, err)
	first := bytes.IndexByte(irisText, '\n') + 1 // one value changed: other data, same shape
	changed := append(append(slices.Clone(irisText[:first]), '9'), irisText[first+1:]...)
	require.NoError(t, os.WriteFile(filepath.Join(gen, "iris_changed.csv"), changed, 0o644))
	// Models with categories, without imputation and with a tiny scale,
	// for predict cases; a checkpoint of iris, and one cut short.
	for _, m := range [][]string{{"cat.safetensors", "BAD/cat_train.csv"}, {"noimpute.safetensors", "BAD/ok.csv", "--impute", "error"},
		{"tiny.safetensors", "GEN/tiny.csv", "--scale", "standard"}, {"other", "IRIS", "--checkpoint-every", "1"},
		{"huge.safetensors", "GEN/huge_target.csv", "--task", "regress", "--scale", "standard"}} { // standard scaling: robust's clipping bounds every input
		data := strings.NewReplacer("BAD/", bad+"/", "GEN/", gen+"/", "IRIS", iris).Replace(m[1])
		code, _, stderr := drive(t, bin, append([]string{"fit", "--data", data, "--epochs", "1", "--quiet", "--out", filepath.Join(gen, m[0])}, m[2:]...)...)
		require.Equal(t, 0, code, stderr)
	}
	ckpt, err := os.ReadFile(filepath.Join(gen, "other.ckpt"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(gen, "trunc.ckpt"), ckpt[:len(ckpt)/2], 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(gen, "table.ckpt"), irisText, 0o644)) // a CSV where a checkpoint should be
	files, _ := filepath.Glob(filepath.Join(bad, "*"))
	assert.GreaterOrEqual(t, len(files), 40, "files in testdata/bad")
	assert.GreaterOrEqual(t, len(badCorpus), 40, "cases")

	for _, c := range badCorpus {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "existing")
			const keep = "an existing file that a failed command must not touch\n"
			require.NoError(t, os.WriteFile(out, []byte(keep), 0o644))
			var args []string
			for _, a := range strings.Fields(c.args) {
				a = strings.ReplaceAll(a, "BAD/", bad+"/")
				a = strings.ReplaceAll(a, "GEN/", gen+"/")
				a = strings.ReplaceAll(a, "IRIS", iris)
				a = strings.ReplaceAll(a, "OUT", out)
				args = append(args, a)
			}
			if args[0] == "fit" && !strings.Contains(c.args, "--out") {
				args = append(args, "--out", out)
			}
			if args[0] == "fit" {
				args = append(args, "--quiet")
			}
			code, stdout, stderr := drive(t, bin, args...)
			assert.Equal(t, 2, code, "exit code; stderr %q", stderr)
			assert.Empty(t, stdout)
			// One line of error, the last; before it only the data's
			// warnings, which --quiet keeps (a row skipped, say).
			assert.True(t, strings.HasSuffix(stderr, "\n"))
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			last := lines[len(lines)-1]
			assert.True(t, strings.HasPrefix(last, "train"), "the error last: %q", stderr)
			for _, l := range lines[:len(lines)-1] {
				assert.False(t, strings.HasPrefix(l, "train"), "one error line: %q", stderr)
			}
			assert.LessOrEqual(t, len(lines), 2, "at most a warning before the error: %q", stderr)
			for _, w := range c.want {
				assert.Contains(t, last, w)
			}
			for _, trace := range []string{"goroutine ", "panic", ".go:"} {
				assert.NotContains(t, stderr, trace, "no stack trace")
			}
			b, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, keep, string(b), "the existing output file changed")
		})
	}
}

// hugeTargets is a regression table whose targets span most of float32's
// range: a row far outside it has an answer beyond float32.
func hugeTargets() string {
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 64 {
		x := float64(i) / 63
		fmt.Fprintf(&b, "%g,%g\n", x, (2*x-1)*3e38)
	}
	return b.String()
}

// strayTarget is a regression table whose target has one word among 101
// distinct numbers.
func strayTarget() string {
	var b strings.Builder
	b.WriteString("a,y\n")
	for i := range 101 {
		fmt.Fprintf(&b, "%d,%d.5\n", i%7, i)
	}
	b.WriteString("3,abc\n")
	return b.String()
}
