package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives slash commands, interactions and events over
// Socket Mode (for workspaces that cannot reach the HTTP endpoints) and
// feeds them to the same handlers until ctx ends. api must carry the app
// token (slack.OptionAppLevelToken). Slack authenticates the connection
// itself, so there is no signature to check.
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
			b.socketEvent(ctx, sm, evt)
		}
	}
}

func (b *Bot) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		b.ack(sm, evt.Request, b.Command(ctx, sc))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		if resp := b.Interaction(ctx, cb); resp != nil {
			b.ack(sm, evt.Request, resp)
		} else {
			b.ack(sm, evt.Request, nil)
		}
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if evt.Request != nil {
			b.ack(sm, evt.Request, nil)
		}
		if ok {
			b.Event(ctx, ev)
		}
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("slack socket mode: invalid app token (SLACK_APP_TOKEN)")
	case socketmode.EventTypeConnectionError:
		b.log.Warn("slack socket mode: connection error; reconnecting", "err", evt.Data)
	}
}

func (b *Bot) ack(sm *socketmode.Client, req *socketmode.Request, payload any) {
	var err error
	if payload == nil {
		err = sm.Ack(*req)
	} else {
		err = sm.Ack(*req, payload)
	}
	if err != nil {
		b.log.Error("slack socket mode: ack", "err", err)
	}
}
