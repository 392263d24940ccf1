package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/workflows"
)

// The anchor's names: its own workflow type, update, signal and query, on
// its own task queue, so that nothing of it reaches the product's worker.
const (
	bareWorkflowName = "BenchBare"
	bareUpdate       = "send"
	bareSignal       = "reply"
	bareQuery        = "state"
)

// Bare is the anchor the follow-ups are measured against: a workflow that
// does nothing but what the engine must. Its update returns at once (the
// follow-up's first send, without the send); it then waits for signals,
// so that it stays running like a follow-up waiting on its window, and its
// query answers the time the last signal carried.
func Bare(ctx workflow.Context) error {
	var last time.Time
	if err := workflow.SetQueryHandler(ctx, bareQuery, func() (time.Time, error) { return last, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, bareUpdate, func(workflow.Context) (string, error) { return "sent", nil }); err != nil {
		return err
	}
	ch := workflow.GetSignalChannel(ctx, bareSignal)
	for {
		var at time.Time
		ch.Receive(ctx, &at)
		last = at
	}
}

// bareClient starts, signals and queries Bare workflows the way
// workflows.Client does follow-ups.
type bareClient struct {
	c     client.Client
	queue string
	run   string
}

func (b bareClient) id(i int64) string { return "bench-bare-" + b.run + "-" + strconv.FormatInt(i, 10) }

// start is workflows.Client.Send's call: update-with-start, the same
// conflict policy and search attributes, waiting until the update is
// accepted and then for its result.
func (b bareClient) start(ctx context.Context, i int64) error {
	op := b.c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       b.id(i),
		TaskQueue:                b.queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrContactID.ValueSet(strconv.FormatInt(i, 10)), workflows.AttrChannel.ValueSet(string(followup.WhatsApp)),
			workflows.AttrAgent.ValueSet("UBENCH"), workflows.AttrVIP.ValueSet(false), workflows.AttrStatus.ValueSet(string(workflows.StatusWaiting))),
	}, bareWorkflowName)
	h, err := b.c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: "bench-" + strconv.FormatInt(i, 10), UpdateName: bareUpdate,
			WaitForStage: client.WorkflowUpdateStageAccepted,
		},
	})
	if err != nil {
		return err
	}
	var out string
	return h.Get(ctx, &out)
}

func (b bareClient) signal(ctx context.Context, i int64, at time.Time) error {
	return b.c.SignalWorkflow(ctx, b.id(i), "", bareSignal, at)
}

func (b bareClient) last(ctx context.Context, i int64) (time.Time, error) {
	var t time.Time
	v, err := b.c.QueryWorkflow(ctx, b.id(i), "", bareQuery)
	if err != nil {
		return t, err
	}
	return t, v.Get(&t)
}

// startBareWorker runs Bare on queue in this process, with the product
// worker's options, until the returned stop is called.
func startBareWorker(c client.Client, queue string, o sdkworker.Options) (stop func(), err error) {
	w := sdkworker.New(c, queue, o)
	w.RegisterWorkflowWithOptions(Bare, workflow.RegisterOptions{Name: bareWorkflowName})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start the bare workflows' worker: %w", err)
	}
	return w.Stop, nil
}
