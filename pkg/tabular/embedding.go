package tabular

import (
	"fmt"
	"io"

	"github.com/densetrain/densetrain/pkg/nn"
	"github.com/densetrain/densetrain/pkg/prep"
	"github.com/densetrain/densetrain/pkg/tensor"
)

// Embedding is how the numeric inputs enter the network.
type Embedding string

// The embeddings.
const (
	// NoEmbedding feeds the numeric inputs to the first Dense layer as
	// they are.
	NoEmbedding Embedding = "none"
	// PBLD embeds each numeric input with RealMLP's periodic embedding
	// (nn.Periodic: PBLDFrequencies frequencies, PBLDValues values per
	// input, its frequencies drawn with standard deviation PBLDSigma,
	// learning PBLDFactor times as fast as the weights) in front of the
	// first Dense layer; text and missing-indicator inputs pass through.
	PBLD Embedding = "pbld"
)

// Embeddings lists the embeddings, NoEmbedding first.
var Embeddings = []Embedding{NoEmbedding, PBLD}

// DefaultEmbedding is the embedding of Config.NumericEmbedding's zero
// value.
const DefaultEmbedding = NoEmbedding

// PBLD's settings, RealMLP's (pytabkit's RealMLP-TD defaults).
const (
	PBLDFrequencies = 16
	PBLDValues      = 4
	PBLDSigma       = 0.1
	PBLDFactor      = 0.1
)

// ParseEmbedding returns the embedding named s.
func ParseEmbedding(s string) (Embedding, error) {
	return prep.ParseName("numeric embedding", s, Embeddings)
}

// Resolved returns the embedding e stands for: DefaultEmbedding for the
// zero value.
func (e Embedding) Resolved() Embedding {
	if e == "" {
		return DefaultEmbedding
	}
	return e
}

func (e Embedding) String() string { return string(e.Resolved()) }

// numericInputs returns the network inputs of p's numeric columns (a
// date column's parts among them), not its one-hot or code columns of
// text, nor its missing indicators.
func numericInputs(p *prep.Preprocessing) []int {
	var in []int
	at := 0
	for _, f := range p.Schema.Features {
		if f.Categories == nil {
			for k := range f.Width() {
				in = append(in, at+k)
			}
		}
		at += f.Width()
	}
	return in
}

// embeddingLayer returns the layer that embeds p's numeric inputs as e
// says, on in inputs, or nil: with NoEmbedding, or when there is no
// numeric input.
func embeddingLayer[T tensor.Float](e Embedding, p *prep.Preprocessing, in int) nn.Layer[T] {
	num := numericInputs(p)
	if e.Resolved() != PBLD || len(num) == 0 {
		return nil
	}
	return nn.NewPeriodic[T](in, num, PBLDFrequencies, PBLDValues, PBLDSigma, PBLDFactor, "numeric_embedding")
}

// checkEmbedding checks, before any training, that the embedding c asks
// for fits p's inputs with c.Ensemble networks packed side by side, and
// warns on w (when not nil) when there is no numeric input to embed.
func checkEmbedding(c Config, p *prep.Preprocessing, w io.Writer) error {
	if c.NumericEmbedding.Resolved() != PBLD {
		return nil
	}
	num := numericInputs(p)
	if len(num) == 0 {
		if w != nil {
			fmt.Fprintf(w, "numeric embedding %s: the table has no numeric input to embed: the network takes its inputs as they are\n", c.NumericEmbedding)
		}
		return nil
	}
	if err := nn.CheckPeriodic(max(c.Ensemble, 1), p.InputWidth(), num, PBLDFrequencies, PBLDValues, PBLDSigma, PBLDFactor); err != nil {
		return inputError(settingError("NumericEmbedding", string(c.NumericEmbedding), "%d numeric inputs embedded by %d networks: %v (fewer networks, or no embedding)", len(num), max(c.Ensemble, 1), err))
	}
	return nil
}
