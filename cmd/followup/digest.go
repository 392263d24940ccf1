package main

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

func (a *app) digestCmd() *cobra.Command {
	var asJSON bool
	var tz string
	c := &cobra.Command{
		Use:   "digest [--tz ZONE] [--json]",
		Short: a.p.Text("Print the daily digest now: running follow-ups, windows closing today, overdue VIP follow-ups, yesterday's sends"),
		Long: a.p.Text(`Print the daily digest as of now, as the worker posts it every day at
digest_time (in digest_time_zone) to SLACK_SUPERVISOR_CHANNEL and, each
their own part, to every agent: running follow-ups per agent, windows
closing before midnight, VIP follow-ups overdue (window closed, nothing sent
since), and yesterday's sends, refusals and failures per channel. Times
are in the local time zone, or --tz's.`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now, err := nowIn(tz)
			if err != nil {
				return err
			}
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
			_, err = io.WriteString(a.stdout, a.p.Phrase(d.Phrase(), localTime(now.Location())))
			return err
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, a.p.Text("print a JSON object"))
	c.Flags().StringVar(&tz, "tz", "", a.p.Text(tzShowUsage))
	return c
}

// tzShowUsage is the help of --tz where it is the zone times are shown in.
const tzShowUsage = "the time zone to show times in, an IANA name such as Europe/Berlin (default: the local zone, $TZ)"

// localTime writes a time for the command line in loc, in the same way in
// every language: 2026-03-10 18:00 CET.
func localTime(loc *time.Location) func(time.Time) string {
	return func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04 MST") }
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
