package engine_test

import "github.com/mailmold/mailmold/engine/eval"

func engineLimits(iter, depth, out int) eval.Limits {
	return eval.Limits{MaxIterations: iter, MaxDepth: depth, MaxOutput: out}
}
