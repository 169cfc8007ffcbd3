package deals

import (
	"context"

	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/store"
)

// pipelineChoices are the pipelines a deal may be in, for the deal form.
func pipelineChoices(ctx context.Context, q store.Querier) ([]records.RefChoice, error) {
	pipes, err := listPipelines(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]records.RefChoice, 0, len(pipes))
	for _, p := range pipes {
		out = append(out, records.RefChoice{ID: p.ID, Title: p.Name})
	}
	return out, nil
}

// stageChoices are the stages of every pipeline, in order, each named
// with its pipeline: for the deal form and bulk changes of stage.
func stageChoices(ctx context.Context, q store.Querier) ([]records.RefChoice, error) {
	pipes, err := listPipelines(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []records.RefChoice
	for _, p := range pipes {
		for _, s := range p.Stages {
			out = append(out, records.RefChoice{ID: s.ID, Title: s.Name, Group: p.Name})
		}
	}
	return out, nil
}
