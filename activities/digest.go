package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/followup-dev/followup"
)

// DigestBuilder builds the daily digest from Postgres and Temporal's
// visibility (actions.Service does; the activities cannot reach
// visibility themselves).
type DigestBuilder interface {
	Digest(ctx context.Context) (followup.Digest, error)
}

// Names of the digest activities (their method names, which Temporal records).
const (
	NameBuildDigest = "BuildDigest"
	NamePostDigest  = "PostDigest"
)

// BuildDigestInput asks for the digest as of now; it has no fields yet.
type BuildDigestInput struct{}

// BuildDigestResult is the digest built.
type BuildDigestResult struct {
	Digest followup.Digest
}

// BuildDigest builds the daily digest.
func (a *Activities) BuildDigest(ctx context.Context, _ BuildDigestInput) (BuildDigestResult, error) {
	if a.Digests == nil {
		return BuildDigestResult{}, temporal.NewNonRetryableApplicationError("this worker cannot build digests", ErrPermanent, nil)
	}
	d, err := a.Digests.Digest(ctx)
	return BuildDigestResult{Digest: d}, err
}

// PostDigestInput is the digest to post.
type PostDigestInput struct {
	Digest followup.Digest
}

// PostDigestResult counts the digests posted: one to the supervisors'
// channel, one per agent.
type PostDigestResult struct {
	Posted int
}

// PostDigest posts the digest to the supervisors' channel (a notification
// with no agent) and each agent's part to them by DM. Keys name the day,
// so a retry, or a second run the same day, posts nothing twice.
func (a *Activities) PostDigest(ctx context.Context, in PostDigestInput) (PostDigestResult, error) {
	var r PostDigestResult
	d := in.Digest
	key := func(who string) *string { k := fmt.Sprintf("digest:%s:%s", d.Date, who); return &k }
	// Each part is a Phrase too, for its reader's language (the
	// supervisors' channel: supervisor_language).
	all := d.Phrase()
	if err := a.notifier.Notify(ctx, followup.Notification{Kind: followup.NotifyDigest, Text: all.String(), Say: &all, IdempotencyKey: key("supervisors")}); err != nil {
		return r, err
	}
	r.Posted++
	agents, err := a.store.Agents(ctx)
	if err != nil {
		return r, err
	}
	for _, ag := range agents {
		id := ag.ID
		part := d.ForAgent(ag.SlackUserID).Phrase()
		if err := a.notifier.Notify(ctx, followup.Notification{AgentID: &id, Kind: followup.NotifyDigest, Text: part.String(), Say: &part,
			IdempotencyKey: key(fmt.Sprintf("agent:%d", ag.ID))}); err != nil {
			return r, err
		}
		r.Posted++
	}
	return r, nil
}
