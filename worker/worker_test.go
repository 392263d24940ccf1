package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/worker"
	"github.com/followup-dev/followup/workflows"
)

// TestWorkerOnTemporalTestServer runs the registered worker against
// Temporal's own in-process test server: a follow-up starts, sends, and is
// found through its search attributes, as the supervisor views will.
func TestWorkerOnTemporalTestServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ts.GetDefaultNamespace(), SearchAttributes: workflows.SearchAttributeTypes(),
	}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	agent, _, _ := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	vip := true
	now := time.Now()
	id, _, err := st.SaveContact(ctx, store.ContactInput{FirstName: "Jane", Email: "jane@example.com", VIP: &vip, Channel: followup.Email, LastInboundAt: &now})
	if err != nil {
		t.Fatal(err)
	}
	senders := map[followup.Channel]channels.Sender{followup.Email: sandbox.New(st.DB())}
	w := worker.New(c, "q", activities.New(st, senders, activities.NewRecorder(st)), sdkworker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	fc := workflows.NewClient(c, "q")
	out, err := fc.Send(ctx, workflows.Input{ContactID: id, Channel: followup.Email, AgentID: agent.ID, AgentSlack: "U1", VIP: true},
		workflows.SendRequest{AgentID: agent.ID, AgentSlack: "U1", Text: "Fixed!"}, "r1")
	if err != nil || out.Outcome != workflows.OutcomeSent {
		t.Fatalf("send: %+v %v", out, err)
	}
	query := fmt.Sprintf("FollowupVIP = true AND FollowupAgent = 'U1' AND FollowupContactID = '%d' AND ExecutionStatus = 'Running'", id)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ts.GetDefaultNamespace(), Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetExecutions()) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the VIP follow-up is not found by %q", query)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
