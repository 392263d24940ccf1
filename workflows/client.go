package workflows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/followup-dev/followup"
)

// Client drives follow-ups through a Temporal client: what the CLI, the
// Slack bot and the webhooks use.
type Client struct {
	c         client.Client
	taskQueue string
}

// NewClient wraps a Temporal client for the task queue the workers serve.
func NewClient(c client.Client, taskQueue string) *Client {
	return &Client{c: c, taskQueue: taskQueue}
}

// Send asks the contact's follow-up on a channel to send, starting it when
// none runs (update-with-start: a second request for the same pair reaches
// the running one). requestID deduplicates a retried request. A request the
// running follow-up's rules refuse comes back as a followup.ERefused error
// and never enters its history.
func (c *Client) Send(ctx context.Context, in Input, req SendRequest, requestID string) (SendOutcome, error) {
	var out SendOutcome
	start := c.c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(in.ContactID, in.Channel),
		TaskQueue:                c.taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			AttrContactID.ValueSet(strconv.FormatInt(in.ContactID, 10)), AttrChannel.ValueSet(string(in.Channel)),
			AttrAgent.ValueSet(in.AgentSlack), AttrVIP.ValueSet(in.VIP), AttrStatus.ValueSet(string(StatusWaiting))),
	}, FollowUpName, in)
	h, err := c.c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID: requestID, UpdateName: UpdateSend, Args: []any{req},
			// Accepted: the request is in the follow-up's history and
			// survives any crash from here on.
			WaitForStage: client.WorkflowUpdateStageAccepted,
		},
	})
	if err != nil {
		return out, c.translate(err, "send")
	}
	if err := h.Get(ctx, &out); err != nil {
		if ctx.Err() != nil && h.UpdateID() != "" && !isRefusal(err) {
			// Accepted, and still sending (a slow provider, retries):
			// the follow-up tells the agent the outcome itself.
			return SendOutcome{Outcome: OutcomeInProgress}.tell(say("The follow-up has your request and is still sending it (the provider is slow to answer); you will get the outcome as a direct message.")), nil
		}
		return out, c.translate(err, "send")
	}
	return out, nil
}

// Reply tells the contact's running follow-up on a channel that the
// customer wrote. running is false when there is none (nothing to reset).
func (c *Client) Reply(ctx context.Context, contactID int64, ch followup.Channel, r Reply) (running bool, err error) {
	err = c.c.SignalWorkflow(ctx, WorkflowID(contactID, ch), "", SignalReply, r)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, c.translate(err, "signal reply")
	}
	return true, nil
}

// DeliveryFailed tells the contact's running follow-up on a channel that
// the provider failed a message after accepting it. running is false when
// none runs.
func (c *Client) DeliveryFailed(ctx context.Context, contactID int64, ch followup.Channel, d DeliveryFailure) (running bool, err error) {
	err = c.c.SignalWorkflow(ctx, WorkflowID(contactID, ch), "", SignalDeliveryFailed, d)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, c.translate(err, "signal delivery failure")
	}
	return true, nil
}

// State queries a follow-up; ENotFound when the pair has none.
func (c *Client) State(ctx context.Context, contactID int64, ch followup.Channel) (State, error) {
	var s State
	v, err := c.c.QueryWorkflow(ctx, WorkflowID(contactID, ch), "", QueryState)
	if err != nil {
		return s, c.translate(err, "state")
	}
	return s, v.Get(&s)
}

// Running says whether the pair has a running follow-up.
func (c *Client) Running(ctx context.Context, contactID int64, ch followup.Channel) (bool, error) {
	d, err := c.c.DescribeWorkflowExecution(ctx, WorkflowID(contactID, ch), "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, c.translate(err, "describe")
	}
	return d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, nil
}

// Cancel cancels a running follow-up and its scheduled sends.
func (c *Client) Cancel(ctx context.Context, contactID int64, ch followup.Channel) (CancelResult, error) {
	var r CancelResult
	return r, c.update(ctx, contactID, ch, UpdateCancel, &r)
}

// Close closes the conversation (closing logic applied) and ends the follow-up.
func (c *Client) Close(ctx context.Context, contactID int64, ch followup.Channel) (CloseResult, error) {
	var r CloseResult
	return r, c.update(ctx, contactID, ch, UpdateClose, &r)
}

// TakeOver gives a running follow-up to another agent; requestID (the
// update's id) makes a retried request take it over once.
func (c *Client) TakeOver(ctx context.Context, contactID int64, ch followup.Channel, t TakeOver, requestID string) (TakeOverResult, error) {
	var r TakeOverResult
	return r, c.updateWith(ctx, contactID, ch, UpdateTakeOver, requestID, &r, t)
}

// Snooze puts off a running follow-up's escalation.
func (c *Client) Snooze(ctx context.Context, contactID int64, ch followup.Channel, s Snooze, requestID string) (SnoozeResult, error) {
	var r SnoozeResult
	return r, c.updateWith(ctx, contactID, ch, UpdateSnooze, requestID, &r, s)
}

func (c *Client) update(ctx context.Context, contactID int64, ch followup.Channel, name string, out any) error {
	return c.updateWith(ctx, contactID, ch, name, "", out)
}

func (c *Client) updateWith(ctx context.Context, contactID int64, ch followup.Channel, name, updateID string, out any, args ...any) error {
	h, err := c.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: WorkflowID(contactID, ch), UpdateName: name, UpdateID: updateID, Args: args, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return c.translate(err, name)
	}
	return c.translate(h.Get(ctx, out), name)
}

// translate turns Temporal errors into the product's error kinds.
func (c *Client) translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return &followup.Error{Code: followup.ENotFound, Message: "no follow-up is running for this contact on that channel", Err: err}
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Type() == ErrRefused {
		// A validator's rejection: nothing entered the follow-up's history.
		var said followup.Phrase
		if ae.HasDetails() && ae.Details(&said) == nil && !said.IsZero() {
			e := followup.Errorf(followup.ERefused, "%s", said)
			e.Err = err
			return e
		}
		return &followup.Error{Code: followup.ERefused, Message: ae.Message(), Err: err}
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) && !errors.Is(err, context.DeadlineExceeded) {
		return &followup.Error{Code: followup.EUnavailable, Message: "Temporal is unavailable, so nothing was changed. Try again in a minute.", Err: err}
	}
	if errors.As(err, &unavailable) || errors.Is(err, context.DeadlineExceeded) {
		return &followup.Error{Code: followup.EUnavailable, Message: "Temporal did not answer in time; the request may or may not have been carried out. Check with `followup status` before trying again.", Err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isRefusal reports whether err is a validator's rejection.
func isRefusal(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == ErrRefused
}

// ListFilter picks running follow-ups by their search attributes.
type ListFilter struct {
	Agent   string // the agent's Slack user id; "" for any
	VIPOnly bool
	Limit   int // 0 = 500
}

// Summary is a running follow-up as visibility shows it: ids and the
// search attributes, no names (visibility stores no PII).
type Summary struct {
	WorkflowID     string
	ContactID      int64
	Channel        followup.Channel
	Agent          string
	VIP            bool
	Status         Status
	WindowClosesAt time.Time
	StartedAt      time.Time
}

// List lists running follow-ups matching f, in no particular order
// (visibility stores cannot sort). Visibility is eventually consistent: a
// follow-up started a moment ago may be missing.
func (c *Client) List(ctx context.Context, f ListFilter) ([]Summary, error) {
	q := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", FollowUpName)
	if f.Agent != "" {
		if strings.ContainsAny(f.Agent, `'"\`) {
			return nil, followup.Errorf(followup.EInvalid, "agent %q is not a Slack user id", f.Agent)
		}
		q += fmt.Sprintf(" AND %s = '%s'", AttrAgent.GetName(), f.Agent)
	}
	if f.VIPOnly {
		q += fmt.Sprintf(" AND %s = true", AttrVIP.GetName())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	dc := converter.GetDefaultDataConverter()
	var out []Summary
	var token []byte
	for len(out) < limit {
		resp, err := c.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: token, PageSize: int32(min(limit-len(out), 100))})
		if err != nil {
			return out, c.translate(err, "list follow-ups")
		}
		for _, e := range resp.GetExecutions() {
			s := Summary{WorkflowID: e.GetExecution().GetWorkflowId(), StartedAt: e.GetStartTime().AsTime()}
			fields := e.GetSearchAttributes().GetIndexedFields()
			var contact, ch, status string
			for name, dst := range map[string]any{
				AttrContactID.GetName(): &contact, AttrChannel.GetName(): &ch, AttrAgent.GetName(): &s.Agent,
				AttrVIP.GetName(): &s.VIP, AttrStatus.GetName(): &status, AttrWindowClosesAt.GetName(): &s.WindowClosesAt,
			} {
				if p, ok := fields[name]; ok {
					_ = dc.FromPayload(p, dst) // a missing or odd value stays zero
				}
			}
			s.ContactID, _ = strconv.ParseInt(contact, 10, 64)
			s.Channel, s.Status = followup.Channel(ch), Status(status)
			out = append(out, s)
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	return out, nil
}
