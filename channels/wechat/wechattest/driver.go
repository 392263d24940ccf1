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
		Start: func() channels.FakeServer {
			f := New()
			tellLastInbound := channels.TellLastInbound(followup.WeChat, f.InboundAt)
			return channels.FakeServer{
				URL: f.URL(),
				Env: map[string]string{"WECHAT_API_URL": f.URL(), "WECHAT_APP_ID": AppID, "WECHAT_APP_SECRET": AppSecret, "WECHAT_TOKEN": Token},
				// The fake learns the 48 h window and the workspace's
				// message quota within it.
				Prepare: func(ctx context.Context, facts channels.Facts, m channels.Outbound) error {
					if err := tellLastInbound(ctx, facts, m); err != nil {
						return err
					}
					set, err := facts.Settings(ctx)
					if err != nil {
						return fmt.Errorf("read settings: %w", err)
					}
					f.SetQuota(set.WeChatMessageLimit)
					return nil
				},
				Close: f.Close,
			}
		},
		Secret: Token,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			msgID := rand.Int64()
			if in.ID != "" {
				n, err := strconv.ParseInt(in.ID, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("a WeChat MsgId is a number, not %q", in.ID)
				}
				msgID = n
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
