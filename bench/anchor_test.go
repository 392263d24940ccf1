package bench

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestAppendCSV pins the CSV that --csv writes: a header once, then one
// row per run with a value for every column (ratios empty without the
// anchor), so that runs collect in one file and scripts/plot can read it.
func TestAppendCSV(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "runs.csv")
	q := func(ms ...int) Quantiles {
		return Quantiles{time.Duration(ms[0]) * time.Millisecond, time.Duration(ms[1]) * time.Millisecond, time.Duration(ms[2]) * time.Millisecond}
	}
	runs := []Result{
		{N: 500, Concurrency: 8, Replies: 50, StartsPerSec: 40.5, BareStartsPerSec: 81, Start: q(100, 200, 300), BareStart: q(50, 100, 150),
			Reply: q(20, 42, 60), BareReply: q(14, 40, 50)},
		{N: 1000, Concurrency: 16, Replies: 50, StartsPerSec: 60, BareStartsPerSec: 0, Start: q(1, 2, 3), Reply: q(4, 5, 6)},
	}
	for _, r := range runs {
		if err := r.appendCSV(path); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d lines, want a header and 2 rows: %q", len(rows), rows)
	}
	want := []string{"time", "n", "concurrency", "replies",
		"followups_per_s", "bare_starts_per_s", "start_ratio",
		"start_p50_ms", "start_p95_ms", "start_p99_ms", "bare_start_p50_ms", "bare_start_p95_ms", "bare_start_p99_ms",
		"reply_p50_ms", "reply_p95_ms", "reply_p99_ms", "bare_reply_p50_ms", "bare_reply_p95_ms", "bare_reply_p99_ms", "reply_p95_ratio"}
	if len(rows[0]) != len(want) {
		t.Fatalf("header %q, want %q", rows[0], want)
	}
	for i := range want {
		if rows[0][i] != want[i] {
			t.Fatalf("header %q, want %q", rows[0], want)
		}
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	first := rows[1]
	if _, err := time.Parse(time.RFC3339, first[col["time"]]); err != nil {
		t.Errorf("time: %v", err)
	}
	for name, v := range map[string]string{
		"n": "500", "concurrency": "8", "replies": "50", "followups_per_s": "40.50", "bare_starts_per_s": "81.00", "start_ratio": "0.50",
		"start_p50_ms": "100.00", "start_p99_ms": "300.00", "bare_start_p95_ms": "100.00",
		"reply_p50_ms": "20.00", "reply_p95_ms": "42.00", "reply_p99_ms": "60.00",
		"bare_reply_p50_ms": "14.00", "bare_reply_p95_ms": "40.00", "bare_reply_p99_ms": "50.00", "reply_p95_ratio": "1.05",
	} {
		if first[col[name]] != v {
			t.Errorf("%s = %q, want %q", name, first[col[name]], v)
		}
	}
	for i, v := range first {
		if _, err := strconv.ParseFloat(v, 64); err != nil && i != col["time"] {
			t.Errorf("column %s: %q is not a number", rows[0][i], v)
		}
	}
	// Without the anchor the ratios are empty, not infinite.
	if second := rows[2]; second[col["start_ratio"]] != "" || second[col["reply_p95_ratio"]] != "" || second[col["bare_starts_per_s"]] != "0.00" {
		t.Errorf("no anchor: %q", second)
	}

	// scripts/plot reads exactly this file.
	if _, err := exec.LookPath("gnuplot"); err != nil {
		t.Log("gnuplot not installed: scripts/plot not run")
		return
	}
	out := t.TempDir()
	cmd := exec.Command("../scripts/plot", "--out", out, path)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/plot: %v\n%s", err, b)
	}
	for _, png := range []string{"bench-throughput.png", "bench-latency.png"} {
		b, err := os.ReadFile(filepath.Join(out, png))
		if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
			t.Errorf("%s: not a PNG (%d bytes, %v)", png, len(b), err)
		}
	}
}
