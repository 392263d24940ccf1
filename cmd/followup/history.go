package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/followup-dev/followup/workflows"
)

func (a *app) replayCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "replay HISTORY.json…",
		Short: "Replay exported workflow histories against this build's workflow code",
		Long: `Replay histories exported from a running system (temporal workflow show -w ID
--output json > h.json) against this build's FollowUp workflow. A history that
no longer replays means the change would break running follow-ups: put it
behind workflow.GetVersion.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := 0
			for _, f := range args {
				r := sdkworker.NewWorkflowReplayer()
				r.RegisterWorkflowWithOptions(workflows.FollowUp, workflows.RegisterOptions())
				o, _ := temporalOptions(Config{}, "x:1")
				if err := r.ReplayWorkflowHistoryFromJSONFile(o.Logger, f); err != nil {
					failed++
					fmt.Fprintf(a.stdout, "FAIL %s: %v\n", f, err)
					continue
				}
				fmt.Fprintf(a.stdout, "ok   %s\n", f)
			}
			if failed > 0 {
				return errors.New(fmt.Sprint(failed, " of ", len(args), " histories do not replay"))
			}
			return nil
		},
	}
}
