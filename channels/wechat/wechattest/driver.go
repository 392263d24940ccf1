package wechattest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Fake is the fake Official Account API as the sandbox runs it in place
// of WeChat's (channels/all gives it to wechat.Driver). It does not import
// package wechat, whose own tests import this one.
func Fake() channels.Fake {
	return channels.Fake{
		Start:  channels.Serve(New, "WECHAT_API_URL", map[string]string{"WECHAT_APP_ID": AppID, "WECHAT_APP_SECRET": AppSecret, "WECHAT_TOKEN": Token}, prepare),
		Secret: Token,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			msgID, err := in.NumericID("WeChat MsgId")
			if err != nil {
				return nil, err
			}
			// WeChat signs the query: token, timestamp and nonce.
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			nonce := strconv.FormatUint(rand.Uint64N(1e10), 10)
			q := url.Values{"signature": {Signature(t.Secret, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
			sep := "?"
			if strings.Contains(t.URL, "?") {
				sep = "&"
			}
			signed := channels.Target{URL: t.URL + sep + q.Encode()}
			return signed.Post("text/xml", TextBody(in.From, in.Text, msgID, in.At))
		},
	}
}

// prepare teaches f the 48 h window and the workspace's message quota
// within it.
func prepare(f *Server) channels.Prepare {
	tellLastInbound := channels.TellLastInbound(followup.WeChat, f.InboundAt)
	return func(ctx context.Context, facts channels.Facts, m channels.Outbound) error {
		if err := tellLastInbound(ctx, facts, m); err != nil {
			return err
		}
		set, err := facts.Settings(ctx)
		if err != nil {
			return fmt.Errorf("read settings: %w", err)
		}
		f.SetQuota(set.WeChatMessageLimit)
		return nil
	}
}
