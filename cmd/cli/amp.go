package cli

import (
	"context"
	"os"

	"github.com/mailmold/mailmold/amp"
)

// ampValidate returns the official AMP validator as a check.Options.Validate function, or
// nil when it is not installed (MAILMOLD_NO_AMP_VALIDATOR=1 turns it off).
func ampValidate() func(ctx context.Context, docs []string) ([][]string, error) {
	if os.Getenv("MAILMOLD_NO_AMP_VALIDATOR") != "" {
		return nil
	}
	v, err := amp.FindValidator()
	if err != nil {
		return nil
	}
	return func(ctx context.Context, docs []string) ([][]string, error) {
		reports, err := v.Validate(ctx, docs...)
		if err != nil {
			return nil, err
		}
		out := make([][]string, len(reports))
		for i, r := range reports {
			if !r.Pass {
				out[i] = append([]string{}, r.Errors...)
				if len(out[i]) == 0 {
					out[i] = []string{"invalid AMP"}
				}
			}
		}
		return out, nil
	}
}
