package bench

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// starts accumulates one kind of start over the rounds it runs in.
type starts struct {
	lat     []time.Duration // per start, indexed by its number
	elapsed time.Duration   // wall time of its rounds together
	failed  int64
}

// run calls start for every i in [from, to) with conc callers at once,
// records each call's latency and adds the round's wall time. The first
// three failures are written to errOut.
func (s *starts) run(conc, from, to int, start func(i int) error, errOut io.Writer) {
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				t := time.Now()
				err := start(i)
				s.lat[i] = time.Since(t)
				if err != nil && atomic.AddInt64(&s.failed, 1) <= 3 {
					fmt.Fprintln(errOut, err)
				}
			}
		}()
	}
	wg.Wait()
	s.elapsed += time.Since(t0)
}

// rate is n starts over the accumulated wall time, per second.
func (s *starts) rate(n int) float64 { return float64(n) / s.elapsed.Seconds() }

// roundTrip sends (a signal) and then asks visible (a query) every 2 ms
// until it says the signal shows; it returns the time from send to seen.
func roundTrip(ctx context.Context, send func() error, visible func() (bool, error)) (time.Duration, error) {
	t0 := time.Now()
	if err := send(); err != nil {
		return 0, err
	}
	for {
		ok, err := visible()
		if err != nil {
			return 0, err
		}
		if ok {
			return time.Since(t0), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// Quantiles are a latency distribution's p50, p95 and p99.
type Quantiles struct{ P50, P95, P99 time.Duration }

func quantiles(ds []time.Duration) Quantiles {
	return Quantiles{percentile(ds, 50), percentile(ds, 95), percentile(ds, 99)}
}

// Result is one run of Followups: the product's figures beside the bare
// workflows' of the same run (zero when the anchor was skipped).
type Result struct {
	N, Concurrency, Replies        int
	StartsPerSec, BareStartsPerSec float64
	Start, BareStart               Quantiles
	Reply, BareReply               Quantiles
}

var csvHeader = []string{"time", "n", "concurrency", "replies",
	"followups_per_s", "bare_starts_per_s", "start_ratio",
	"start_p50_ms", "start_p95_ms", "start_p99_ms", "bare_start_p50_ms", "bare_start_p95_ms", "bare_start_p99_ms",
	"reply_p50_ms", "reply_p95_ms", "reply_p99_ms", "bare_reply_p50_ms", "bare_reply_p95_ms", "bare_reply_p99_ms", "reply_p95_ratio"}

// appendCSV appends r as one row to path, with csvHeader first when the
// file is new, so that runs at several sizes or concurrencies collect in
// one file.
func (r Result) appendCSV(path string) (err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	w := csv.NewWriter(f)
	if fi.Size() == 0 {
		_ = w.Write(csvHeader)
	}
	f2 := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	msf := func(d time.Duration) string { return f2(float64(d.Microseconds()) / 1000) }
	ratio := func(a, b float64) string {
		if b == 0 {
			return ""
		}
		return f2(a / b)
	}
	row := []string{time.Now().UTC().Format(time.RFC3339), strconv.Itoa(r.N), strconv.Itoa(r.Concurrency), strconv.Itoa(r.Replies),
		f2(r.StartsPerSec), f2(r.BareStartsPerSec), ratio(r.StartsPerSec, r.BareStartsPerSec)}
	for _, q := range []Quantiles{r.Start, r.BareStart, r.Reply, r.BareReply} {
		row = append(row, msf(q.P50), msf(q.P95), msf(q.P99))
	}
	row = append(row, ratio(float64(r.Reply.P95), float64(r.BareReply.P95)))
	_ = w.Write(row)
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}
