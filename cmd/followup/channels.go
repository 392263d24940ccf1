package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/all"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
)

// channelSet is what this process can send and receive, per channel.
type channelSet struct {
	senders   map[followup.Channel]channels.Sender
	hooks     map[followup.Channel]channels.Webhook
	sandboxed []followup.Channel
	// sandbox runs the fake providers of the sandboxed channels.
	sandbox *sandbox.Sandbox
}

// close stops the sandbox's fake providers.
func (s channelSet) close() {
	if s.sandbox != nil {
		s.sandbox.Close()
	}
}

// loadChannels reads every channel's credentials, as its driver names
// them. A channel with some but not all of its variables is an error
// naming the missing one; one with none runs in the sandbox when sandboxOK
// (followup dev, worker --sandbox): the real adapter against a local fake
// provider, its outbound messages logged to log and listed by `followup
// outbox`, its webhook verified with the fake's secret. It is unavailable
// otherwise. Webhook secrets that are set are always enforced, in the
// sandbox too. Close the set when done.
func loadChannels(getenv func(string) string, st *store.Store, sandboxOK bool, log io.Writer) (channelSet, error) {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	set := channelSet{senders: map[followup.Channel]channels.Sender{}, hooks: map[followup.Channel]channels.Webhook{}}
	hc := &http.Client{Timeout: 20 * time.Second}
	for _, d := range all.Drivers() {
		ch := d.Channel
		switch given, missing := countSet(d.Send, env); {
		case given == 0 && sandboxOK:
			set.sandboxed = append(set.sandboxed, ch)
		case given == 0:
		case missing != "":
			return set, configErr(missing, "%s is partly configured: set %s too (or none of them for the sandbox)", ch.Title(), varNames(d.Send, ", "))
		default:
			sender, err := d.NewSender(env, hc)
			if err != nil {
				return set, configErr(d.Send[0].Name, "%s", err)
			}
			set.senders[ch] = sender
		}
		switch given, missing := countSet(d.Hook, env); {
		case given == 0:
		case missing != "":
			return set, configErr(missing, "the %s webhook needs %s", ch.Title(), varNames(d.Hook, " and "))
		default:
			h, err := d.NewWebhook(env)
			if err != nil {
				return set, configErr(d.Hook[0].Name, "%s", err)
			}
			set.hooks[ch] = h
		}
	}
	if len(set.sandboxed) == 0 {
		return set, nil
	}
	sb, err := sandbox.Start(st, sandbox.Options{Channels: set.sandboxed, Log: log, HTTPClient: hc, Env: env})
	if err != nil {
		return set, fmt.Errorf("start the sandbox: %w", err)
	}
	set.sandbox = sb
	for _, ch := range set.sandboxed {
		set.senders[ch] = sb.Sender(ch)
		if set.hooks[ch] == nil {
			set.hooks[ch] = sb.Webhook(ch)
		}
	}
	return set, nil
}

// countSet counts the variables of vars that env sets and names the first
// one it does not.
func countSet(vars []channels.Var, env func(string) string) (n int, missing string) {
	for _, v := range vars {
		if env(v.Name) != "" {
			n++
		} else if missing == "" {
			missing = v.Name
		}
	}
	return n, missing
}

// varNames are the variables' names joined by sep.
func varNames(vars []channels.Var, sep string) string {
	ns := make([]string, len(vars))
	for i, v := range vars {
		ns[i] = v.Name
	}
	return strings.Join(ns, sep)
}
