package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
)

const (
	// DigestName is the daily digest's workflow type.
	DigestName = "Digest"
	// DigestScheduleID is the id of the one Temporal Schedule that starts
	// the digest every day; the workflows it starts are named after it
	// (the server appends the time).
	DigestScheduleID = "followup-digest"
)

// DigestInput starts a digest; it has no fields yet.
type DigestInput struct{}

// DigestResult is what a digest run did.
type DigestResult struct {
	// Posted counts the digests posted (supervisors' channel and agents);
	// ones a run the same day already posted count, and are not posted
	// again.
	Posted int
}

// digestOptions: building reads visibility and Postgres, posting calls
// Slack a few times per agent.
var digestOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout:    time.Minute,
	ScheduleToCloseTimeout: 15 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		NonRetryableErrorTypes: []string{string(followup.ENotFound), string(followup.EInvalid)}},
}

// Digest builds the daily digest and posts it to the supervisors' channel
// and to each agent. The FollowUp workflow is not involved: a digest reads
// what the follow-ups publish to visibility and the messages in Postgres.
func Digest(ctx workflow.Context, _ DigestInput) (DigestResult, error) {
	built, err := runLocal(ctx, digestOptions, acts.BuildDigest, activities.BuildDigestInput{})
	if err != nil {
		return DigestResult{}, err
	}
	posted, err := runLocal(ctx, digestOptions, acts.PostDigest, activities.PostDigestInput(built))
	return DigestResult{Posted: posted.Posted}, err
}

// DigestRegisterOptions registers Digest under DigestName.
func DigestRegisterOptions() workflow.RegisterOptions {
	return workflow.RegisterOptions{Name: DigestName}
}

// digestCatchup: a digest missed (server or workers down) is still run up
// to an hour late; later than that it is noise, and tomorrow's comes.
const digestCatchup = time.Hour

// SyncDigestSchedule makes the digest schedule follow the settings: it
// creates it once, updates its time and time zone when they differ from
// s's, and pauses it while the digest time is off (unpauses it after).
// Running it again changes nothing; changed says whether it did.
func (c *Client) SyncDigestSchedule(ctx context.Context, s followup.Settings) (bool, error) {
	off := s.DigestTime == followup.DigestOff
	at := s.DigestTime
	if off {
		at = "09:00" // the spec a schedule created paused starts with
	}
	t, err := time.Parse("15:04", at)
	if err != nil {
		return false, followup.Errorf(followup.EInvalid, "digest_time %q: want HH:MM or off", s.DigestTime)
	}
	tz := s.DigestTimeZone
	if tz == "" {
		tz = "UTC"
	}
	spec := client.ScheduleSpec{
		Calendars:    []client.ScheduleCalendarSpec{{Hour: []client.ScheduleRange{{Start: t.Hour()}}, Minute: []client.ScheduleRange{{Start: t.Minute()}}}},
		TimeZoneName: tz,
	}
	action := &client.ScheduleWorkflowAction{ID: DigestScheduleID, Workflow: DigestName, Args: []any{DigestInput{}}, TaskQueue: c.taskQueue}
	sc := c.c.ScheduleClient()
	_, err = sc.Create(ctx, client.ScheduleOptions{ID: DigestScheduleID, Spec: spec, Action: action, Paused: off,
		CatchupWindow: digestCatchup, Note: "daily digest (followup settings digest_time, digest_time_zone)"})
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return false, fmt.Errorf("create the digest schedule: %w", err)
	}
	h := sc.GetHandle(ctx, DigestScheduleID)
	desc, err := h.Describe(ctx)
	if err != nil {
		return false, fmt.Errorf("describe the digest schedule: %w", err)
	}
	cur := desc.Schedule
	if !off && !sameDigestSpec(cur.Spec, t.Hour(), t.Minute(), tz) || !sameDigestAction(cur.Action, c.taskQueue) {
		err := h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			sch := in.Description.Schedule
			if !off {
				sch.Spec = &spec
			}
			sch.Action = action
			// The update carries the state too: a pause or unpause sent
			// after it could be overtaken by it.
			sch.State = &client.ScheduleState{Paused: off, Note: "digest_time is " + s.DigestTime}
			return &client.ScheduleUpdate{Schedule: &sch}, nil
		}})
		if err != nil {
			return false, fmt.Errorf("update the digest schedule: %w", err)
		}
		return true, nil
	}
	paused := cur.State != nil && cur.State.Paused
	switch {
	case off && !paused:
		err = h.Pause(ctx, client.SchedulePauseOptions{Note: "digest_time is off"})
	case !off && paused:
		err = h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "digest_time is " + s.DigestTime})
	default:
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("pause or unpause the digest schedule: %w", err)
	}
	return true, nil
}

// sameDigestSpec says whether a described spec fires once a day at
// hour:minute in tz, as SyncDigestSchedule writes it.
func sameDigestSpec(s *client.ScheduleSpec, hour, minute int, tz string) bool {
	if s == nil || s.TimeZoneName != tz || len(s.Calendars) != 1 || len(s.Intervals) != 0 || len(s.CronExpressions) != 0 {
		return false
	}
	one := func(rs []client.ScheduleRange, v int) bool {
		return len(rs) == 1 && rs[0].Start == v && (rs[0].End == 0 || rs[0].End == v)
	}
	cal := s.Calendars[0]
	return one(cal.Hour, hour) && one(cal.Minute, minute) && (len(cal.Second) == 0 || one(cal.Second, 0))
}

// sameDigestAction says whether a described action starts Digest on
// taskQueue.
func sameDigestAction(a client.ScheduleAction, taskQueue string) bool {
	w, ok := a.(*client.ScheduleWorkflowAction)
	if !ok || w.TaskQueue != taskQueue {
		return false
	}
	name, ok := w.Workflow.(string)
	return ok && name == DigestName
}
