package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

func (a *app) digestCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "digest [--json]",
		Short: a.p.Text("Print the daily digest now: running follow-ups, windows closing today, overdue VIP follow-ups, yesterday's sends"),
		Long: a.p.Text(`Print the daily digest as of now, as the worker posts it every day at
digest_time (in digest_time_zone) to SLACK_SUPERVISOR_CHANNEL and, each
their own part, to every agent: running follow-ups per agent, windows
closing before midnight, VIP follow-ups overdue (window closed, nothing sent
since), and yesterday's sends, refusals and failures per channel.`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			act, err := a.actions()
			if err != nil {
				return err
			}
			d, err := act.Digest(a.ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(d)
			}
			_, err = a.stdout.Write([]byte(d.Text()))
			return err
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, a.p.Text("print a JSON object"))
	return c
}

// digestSyncInterval is how often a worker makes the digest schedule
// follow the settings (a change made where Temporal was unreachable).
const digestSyncInterval = 5 * time.Minute

// syncDigest makes the digest schedule follow the settings now and every
// interval until ctx ends; failures are logged and tried again.
func (a *app) syncDigest(ctx context.Context, st *store.Store, fc *workflows.Client, interval time.Duration) {
	for {
		a.syncDigestOnce(ctx, st, fc)
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// syncDigestOnce makes the digest schedule follow the settings once.
func (a *app) syncDigestOnce(ctx context.Context, st *store.Store, fc *workflows.Client) {
	s, err := st.Settings(ctx)
	if err == nil {
		_, err = fc.SyncDigestSchedule(ctx, s)
	}
	if err != nil && ctx.Err() == nil {
		a.logger().Warn("digest schedule: not in step with the settings; will try again", "err", err)
	}
}

// digestSettingSet brings the digest schedule in step with a digest
// setting just set, when Temporal is reachable within a few seconds; else
// the workers do within digestSyncInterval.
func (a *app) digestSettingSet(name string, s followup.Settings) {
	if name != "digest_time" && name != "digest_time_zone" {
		return
	}
	ctx, cancel := context.WithTimeout(a.ctx, 5*time.Second)
	defer cancel()
	err := a.config()
	var o client.Options
	if err == nil {
		o, err = temporalOptions(a.cfg, "")
	}
	var c client.Client
	if err == nil {
		c, err = client.DialContext(ctx, o)
	}
	if err == nil {
		defer c.Close()
		_, err = workflows.NewClient(c, a.cfg.TemporalTaskQueue).SyncDigestSchedule(ctx, s)
	}
	if err != nil {
		a.p.Fprintf(a.stdout, "(the digest schedule follows within %s, when a worker runs: %v)\n", digestSyncInterval, a.p.Error(err))
		return
	}
	a.p.Fprintf(a.stdout, "digest schedule updated\n")
}
