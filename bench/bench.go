// Package bench measures the product against a real database and a real
// Temporal: contact search beside a naive scan (Search), and follow-ups
// started, sent and replied to (Followups). `followup bench` runs them;
// docs/BENCHMARKS.md records what they measured.
package bench

import (
	"fmt"
	"slices"
	"time"
)

// percentile is the p-th percentile of ds (0 when there are none).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
