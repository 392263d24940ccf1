package main

import (
	"context"
	"os"
	"os/exec"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/followup-dev/followup/bench"
)

func (a *app) benchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: a.p.Text("Measure the product against the configured database (see docs/BENCHMARKS.md)")}
	var runs, naiveRuns int
	var seed int64
	search := &cobra.Command{
		Use:   "search [--runs N] [--naive-runs N]",
		Short: a.p.Text("Search latency per query kind, beside a naive ILIKE '%q%' scan (seed first)"),
		Long: a.p.Text(`Picks real contacts from the database and derives queries of each kind from
them (name prefix, typo, email prefix, phone suffix; all and mine inboxes;
closed conversations) and adds the broadest three-letter first-name prefix
in the data, runs each through the product's search and through a
naive ILIKE '%q%' scan over the same table, and prints p50/p95 latencies.
Seed a large workspace first: followup seed --contacts 1000000.`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			return bench.Search(a.ctx, st, a.stdout, runs, naiveRuns, seed)
		},
	}
	search.Flags().IntVar(&runs, "runs", 200, a.p.Text("queries per kind through the product's search"))
	search.Flags().IntVar(&naiveRuns, "naive-runs", 10, a.p.Text("queries per kind through the naive scan (each is slow)"))
	search.Flags().Int64Var(&seed, "seed", 1, a.p.Text("picks the sample contacts"))
	cmd.AddCommand(search, a.benchFollowupsCmd())
	return cmd
}

func (a *app) benchFollowupsCmd() *cobra.Command {
	b := bench.Followups{Out: a.stdout, Err: a.stderr}
	c := &cobra.Command{
		Use:   "followups [--n 10000] [--concurrency 16] [--replies 200] [--csv FILE]",
		Short: a.p.Text("Follow-ups started and first message sent per second, worker memory, reply-to-state latency"),
		Long: a.p.Text(`Starts an embedded Temporal server (file-backed SQLite, as followup dev) and a
worker in a child process (followup worker), creates N WhatsApp contacts whose
window is open, starts N follow-ups that each send their first message, and
reports throughput and latency. The follow-ups then wait on their window timers:
the worker's memory (RSS) is read with all N waiting. Finally it signals replies
and measures how long until the state query shows them.

In the same run, alternating with the follow-ups in rounds, it starts as many
bare workflows (a no-op update-with-start, on their own task queue, with a
worker in this process that has the product worker's options) and times a
signal to each until a query shows it, and prints the ratios: follow-ups/s
over bare starts/s, reply p95 over bare p95.
Run it against a scratch database: it adds N contacts.`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			if _, err := st.Migrate(a.ctx); err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			b.TemporalAddress, b.CPUProfile = a.cfg.TemporalAddress, a.cfg.BenchCPUProfile
			// The bare workflows' worker gets what the product's has.
			b.WorkerOptions, b.WorkflowCache = workerOptions(), a.cfg.WorkflowCache
			b.Dial = func(ctx context.Context, hostPort string) (client.Client, error) {
				o, err := temporalOptions(a.cfg, hostPort)
				if err != nil {
					return nil, err
				}
				return client.DialContext(ctx, o)
			}
			b.Worker = func(ctx context.Context, hostPort, queue string) *exec.Cmd {
				w := exec.CommandContext(ctx, self, "worker", "--sandbox")
				w.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+hostPort, "TEMPORAL_TASK_QUEUE="+queue, "DATABASE_URL="+a.cfg.DatabaseURL)
				return w
			}
			return b.Run(a.ctx, st)
		},
	}
	c.Flags().IntVar(&b.N, "n", 10000, a.p.Text("follow-ups to start"))
	c.Flags().IntVar(&b.Concurrency, "concurrency", 16, a.p.Text("concurrent starters"))
	c.Flags().IntVar(&b.Replies, "replies", 200, a.p.Text("replies to time through the state query"))
	c.Flags().BoolVar(&b.NoBare, "no-bare", false, a.p.Text("skip the anchor: bare workflows started and signalled in the same run"))
	c.Flags().StringVar(&b.CSV, "csv", "", a.p.Text("append the figures as one CSV row to this file"))
	return c
}
