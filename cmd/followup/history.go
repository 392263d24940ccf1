package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/workflows"
)

func (a *app) historyCmd() *cobra.Command {
	var via, runID string
	c := &cobra.Command{
		Use:   "history CONTACT [--via CH] | WORKFLOW_ID [--run-id RUN] > FILE.json",
		Short: a.p.Text("Write a follow-up's event history as JSON, as `temporal workflow show --output json` does"),
		Long: a.p.Text(`Write the event history of a follow-up, running or closed, to standard output
in the JSON that ` + "`temporal workflow show --output json`" + ` writes: followup replay,
the SDK's replayer and the Temporal CLI all read it.

CONTACT is an id (#42), an email, a phone number in any format, or a name that
matches exactly one contact; --via picks the channel when the contact has
follow-ups on several. WORKFLOW_ID is a follow-up's id as Temporal shows it
(followup-42-whatsapp), for a system whose database is not at hand. The latest
run is written unless --run-id names another (a follow-up continues as new
when its history grows long).`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := a.followUpID(args[0], via)
			if err != nil {
				return err
			}
			h, err := a.fetchHistory(id, runID)
			if err != nil {
				return err
			}
			return writeHistory(a.stdout, h)
		},
	}
	c.Flags().StringVar(&via, "via", "", a.p.Text("the channel of the contact's follow-up (needed when there are several)"))
	c.Flags().StringVar(&runID, "run-id", "", a.p.Text("a run other than the latest"))
	return c
}

func (a *app) replayCmd() *cobra.Command {
	var workflowID, runID string
	c := &cobra.Command{
		Use:   "replay [HISTORY.json | DIR]… [--workflow-id ID [--run-id RUN]]",
		Short: a.p.Text("Replay workflow histories against this build's workflow code"),
		Long: a.p.Text(`Replay histories against this build's FollowUp workflow: files exported with
followup history (or temporal workflow show --output json), every *.json file
of a directory (not its subdirectories), and with --workflow-id a follow-up
fetched from the Temporal server, running or closed. A history that no longer
replays means the change would break running follow-ups: put it behind
workflow.GetVersion. Each history gets an "ok" or "FAIL" line; the exit status
is 1 if any failed.`),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && workflowID == "" {
				return errors.New("give history files, directories or --workflow-id")
			}
			if runID != "" && workflowID == "" {
				return errors.New("--run-id goes with --workflow-id")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.config(); err != nil {
				return err
			}
			files, err := historyFiles(args)
			if err != nil {
				return err
			}
			logger := log.NewStructuredLogger(a.logger())
			total, failed := 0, 0
			report := func(name string, events int, err error) {
				total++
				if err != nil {
					failed++
					fmt.Fprintf(a.stdout, "FAIL %s: %v\n", name, err)
					return
				}
				fmt.Fprintf(a.stdout, "ok   %s (%d events)\n", name, events)
			}
			for _, f := range files {
				h, err := readHistory(f)
				if err != nil {
					report(f, 0, err)
					continue
				}
				// The started event names the workflow: the SDK's log
				// lines about this replay carry its id.
				id := h.Events[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowId()
				if id == "" {
					id = filepath.Base(f)
				}
				report(f, len(h.Events), replay(logger, h, workflow.Execution{ID: id}))
			}
			if workflowID != "" {
				name := "workflow " + workflowID
				if runID != "" {
					name += " run " + runID
				}
				h, err := a.fetchHistory(workflowID, runID)
				if err != nil {
					return err
				}
				report(name, len(h.Events), replay(logger, h, workflow.Execution{ID: workflowID, RunID: runID}))
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d histories do not replay", failed, total)
			}
			return nil
		},
	}
	c.Flags().StringVar(&workflowID, "workflow-id", "", a.p.Text("replay this follow-up, fetched from Temporal (e.g. followup-42-whatsapp)"))
	c.Flags().StringVar(&runID, "run-id", "", a.p.Text("with --workflow-id, a run other than the latest"))
	return c
}

// replay replays one history against this build's FollowUp workflow.
func replay(logger log.Logger, h *historypb.History, exec workflow.Execution) error {
	r := sdkworker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.FollowUp, workflows.RegisterOptions())
	if err := r.ReplayWorkflowHistoryWithOptions(logger, h, sdkworker.ReplayWorkflowHistoryOptions{OriginalExecution: exec}); err != nil {
		return fmt.Errorf("does not replay: %w", err)
	}
	return nil
}

// historyFiles lists the files to replay: each file argument, and each
// directory's *.json files in name order. A path that does not exist, or a
// directory without histories, is an error before anything replays.
func historyFiles(args []string) ([]string, error) {
	var files []string
	for _, p := range args {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, followup.Errorf(followup.EInvalid, "%s: no such file or directory", p)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p) // sorted by name
		if err != nil {
			return nil, followup.Errorf(followup.EInvalid, "read directory %s: %v", p, err)
		}
		n := 0
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
				files = append(files, filepath.Join(p, e.Name()))
				n++
			}
		}
		if n == 0 {
			return nil, followup.Errorf(followup.EInvalid, "%s has no *.json histories", p)
		}
	}
	return files, nil
}

// readHistory loads a history written by followup history or the Temporal
// CLI (either spelling of the event types).
func readHistory(path string) (*historypb.History, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil {
		return nil, fmt.Errorf("not a workflow history in JSON: %w", err)
	}
	// Any JSON object parses, to an empty history.
	if len(h.Events) == 0 || h.Events[0].GetWorkflowExecutionStartedEventAttributes() == nil {
		return nil, errors.New(`not a workflow history: no "events" beginning with WorkflowExecutionStarted`)
	}
	return h, nil
}

// writeHistory writes h as `temporal workflow show --output json` does:
// the API's proto JSON indented by two spaces, payloads in full (the
// replayers cannot read the CLI's shorthand), and a newline.
func writeHistory(w io.Writer, h *historypb.History) error {
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode the history: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// fetchHistory reads a workflow's whole history from Temporal: the latest
// run unless runID names one.
func (a *app) fetchHistory(workflowID, runID string) (*historypb.History, error) {
	if _, err := a.temporal(); err != nil {
		return nil, err
	}
	it := a.tc.GetWorkflowHistory(a.ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			what := workflowID
			if runID != "" {
				what += " run " + runID
			}
			var nf *serviceerror.NotFound
			var bad *serviceerror.InvalidArgument
			switch {
			case errors.As(err, &nf):
				return nil, followup.Wrapf(followup.ENotFound, err,
					"Temporal (namespace %s) has no follow-up %s: it never ran, or it closed longer ago than the namespace keeps histories", a.cfg.TemporalNamespace, what)
			case errors.As(err, &bad):
				return nil, followup.Wrapf(followup.EInvalid, err, "Temporal refused to read %s: %s", what, bad.Message)
			}
			return nil, followup.Wrapf(followup.EInternal, err, "cannot read the history of %s from Temporal", what)
		}
		h.Events = append(h.Events, e)
	}
	return h, nil
}

// followUpID is the workflow id ref names: a follow-up's id as is, or the
// contact ref resolves to (as status does) and its follow-up on via, or
// on the one channel where it has one.
func (a *app) followUpID(ref, via string) (string, error) {
	var ch followup.Channel
	if via != "" {
		var err error
		if ch, err = followup.ParseChannel(via); err != nil {
			return "", usageError{err}
		}
	}
	if isFollowUpID(ref) {
		if via != "" {
			return "", usageError{errors.New("--via goes with a contact, not with a workflow id")}
		}
		return ref, nil
	}
	st, err := a.store()
	if err != nil {
		return "", err
	}
	t, err := actions.New(st, nil, timeNow).Lookup(a.ctx, ref)
	if err != nil {
		return "", err
	}
	name := t.Contact.FullName()
	if ch != "" {
		for _, id := range t.Identities {
			if id.Channel == ch {
				return workflows.WorkflowID(t.Contact.ID, ch), nil
			}
		}
		return "", followup.Errorf(followup.EInvalid, "%s has no %s address, so no follow-up there (channels: %s)", name, ch.Title(), actions.ChannelList(t.Identities))
	}
	if _, err := a.temporal(); err != nil {
		return "", err
	}
	// The follow-ups Temporal knows of, running or closed, among the
	// contact's channels.
	var found []followup.Channel
	for _, id := range t.Identities {
		_, err := a.tc.DescribeWorkflowExecution(a.ctx, workflows.WorkflowID(t.Contact.ID, id.Channel), "")
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return "", followup.Wrapf(followup.EInternal, err, "cannot ask Temporal for %s's follow-ups", name)
		default:
			found = append(found, id.Channel)
		}
	}
	switch len(found) {
	case 0:
		return "", followup.Errorf(followup.ENotFound, "%s (#%d) has no follow-up on Temporal, running or closed", name, t.Contact.ID)
	case 1:
		return workflows.WorkflowID(t.Contact.ID, found[0]), nil
	}
	titles := make([]string, len(found))
	for i, c := range found {
		titles[i] = c.Title()
	}
	return "", followup.Errorf(followup.EInvalid, "%s (#%d) has follow-ups on %s: choose one with --via", name, t.Contact.ID, strings.Join(titles, ", "))
}

// isFollowUpID reports whether s is a follow-up's workflow id
// (workflows.WorkflowID) rather than a contact.
func isFollowUpID(s string) bool {
	rest, ok := strings.CutPrefix(s, "followup-")
	if !ok {
		return false
	}
	num, channel, ok := strings.Cut(rest, "-")
	if !ok {
		return false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return false
	}
	ch, err := followup.ParseChannel(channel)
	return err == nil && workflows.WorkflowID(id, ch) == s
}
