package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/seed"
)

func (a *app) seedCmd() *cobra.Command {
	var n int
	var seedValue int64
	c := &cobra.Command{
		Use:   "seed --contacts N [--seed S]",
		Short: a.p.Text("Add N synthetic contacts for load tests (names in several scripts, phones, emails, channels)"),
		Long: a.p.Text(`Add N synthetic, realistic contacts with COPY: names in Latin (with accents),
Cyrillic and CJK scripts, valid E.164 phones and unique emails, one to four
channel identities each with last-inbound times from minutes to months ago, a
VIP share, and a mix of open and closed conversations assigned to the
registered agents. Running it again adds N more. A million takes about a
minute (docs/BENCHMARKS.md).`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n <= 0 {
				return usageError{followup.Errorf(followup.EInvalid, "--contacts must be a positive number")}
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			if _, err := st.Migrate(a.ctx); err != nil {
				return err
			}
			agents, err := st.Agents(a.ctx)
			if err != nil {
				return err
			}
			ids := make([]int64, len(agents))
			for i, ag := range agents {
				ids[i] = ag.ID
			}
			last := time.Now()
			stats, err := seed.Run(a.ctx, st.Pool(), seed.Options{Contacts: n, Seed: seedValue, Now: timeNow(), Agents: ids,
				Progress: func(done int) {
					if time.Since(last) > 5*time.Second {
						last = time.Now()
						fmt.Fprintf(a.stderr, "  %d of %d contacts…\n", done, n)
					}
				}})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "seeded %d contacts (ids %d–%d), %d channel identities, %d conversations in %s (of which %s ANALYZE/VACUUM)\n",
				stats.Contacts, stats.FirstID, stats.LastID, stats.Identities, stats.Conversations,
				stats.Duration.Round(time.Millisecond), stats.Maintenance.Round(time.Millisecond))
			return nil
		},
	}
	c.Flags().IntVar(&n, "contacts", 0, a.p.Text("how many contacts to add"))
	c.Flags().Int64Var(&seedValue, "seed", 1, a.p.Text("makes the data reproducible"))
	return c
}
