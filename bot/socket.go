package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives slash commands, interactions and events over
// Socket Mode (for workspaces that cannot reach the HTTP endpoints) and
// feeds them to the same handlers until ctx ends; it returns once every
// handler it started is done. api must carry the app token
// (slack.OptionAppLevelToken). Slack authenticates the connection itself,
// so there is no signature to check.
func (b *Bot) RunSocketMode(ctx context.Context, api *slack.Client, opts ...socketmode.Option) error {
	sm := socketmode.New(api, opts...)
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt := <-sm.Events:
			// Each event on its own: one slow handler must not hold the
			// others past Slack's 3 s (or a modal's trigger_id).
			b.work.Add(1)
			go func() {
				defer b.work.Done()
				b.socketEvent(ctx, sm, evt)
			}()
		}
	}
}

// socketAckWithin bounds the work before an envelope is acknowledged.
const socketAckWithin = 2500 * time.Millisecond

func (b *Bot) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	actx, cancel := context.WithTimeout(ctx, socketAckWithin)
	defer cancel()
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		start := time.Now()
		b.ack(actx, sm, evt.Request, b.Command(actx, sc))
		b.observeAck(sc.Text, start)
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		b.ack(actx, sm, evt.Request, b.Interaction(actx, cb))
	case socketmode.EventTypeEventsAPI:
		if evt.Request != nil {
			b.ack(actx, sm, evt.Request, nil)
		}
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			ectx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			b.Event(ectx, ev)
		}
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("slack socket mode: invalid app token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeConnectionError:
		b.log.Warn("slack socket mode: connection error; reconnecting", "err", evt.Data)
	}
}

// ack acknowledges an envelope, with payload as its answer when not nil.
func (b *Bot) ack(ctx context.Context, sm *socketmode.Client, req *socketmode.Request, payload any) {
	if err := sm.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		b.log.Error("slack socket mode: ack", "err", err)
	}
}
