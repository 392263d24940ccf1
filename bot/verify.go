package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/followup-dev/followup"
)

// Errors Verify and ReadVerified return, wrapped with detail. The first five
// are EUnauthorized and ErrBodyTooLarge is EInvalid, so followup.ErrorCodeOf
// maps them to 401 and 413-style answers without string matching;
// ErrReplayUnchecked is our side failing (EInternal), answered 503.
var (
	// ErrMissingHeader: X-Slack-Request-Timestamp or X-Slack-Signature is absent.
	ErrMissingHeader = &followup.Error{Code: followup.EUnauthorized, Message: "missing Slack signature header"}
	// ErrBadTimestamp: X-Slack-Request-Timestamp is not integer seconds.
	ErrBadTimestamp = &followup.Error{Code: followup.EUnauthorized, Message: "malformed Slack request timestamp"}
	// ErrStaleTimestamp: the request was signed too long ago, or in the future;
	// this is what stops a captured request from being replayed later.
	ErrStaleTimestamp = &followup.Error{Code: followup.EUnauthorized, Message: "stale Slack request timestamp"}
	// ErrBadSignature: the signature is malformed or does not match the body.
	ErrBadSignature = &followup.Error{Code: followup.EUnauthorized, Message: "bad Slack request signature"}
	// ErrReplayed: a validly signed request arrived a second time.
	ErrReplayed = &followup.Error{Code: followup.EUnauthorized, Message: "replayed Slack request"}
	// ErrReplayUnchecked: the request is validly signed but the replay guard
	// (Postgres) could not say whether it was received before, so it is
	// refused rather than risk acting on a replay; Slack or the user may
	// send it again.
	ErrReplayUnchecked = &followup.Error{Code: followup.EInternal, Message: "cannot check the Slack request for replay (is Postgres reachable?)"}
	// ErrBodyTooLarge: the body exceeds the limit given to ReadVerified.
	ErrBodyTooLarge = &followup.Error{Code: followup.EInvalid, Message: "request body too large"}
)

// Slack's header names and signature version.
const (
	HeaderTimestamp = "X-Slack-Request-Timestamp"
	HeaderSignature = "X-Slack-Signature"
	signatureV0     = "v0"
)

// ReplayGuard remembers the Slack requests already accepted, so a captured
// request sent again within its five minutes is refused. store.Store keeps
// them in Postgres, shared by every server behind a load balancer.
type ReplayGuard interface {
	// SlackRequestSeen records a verified request by its signature (the
	// decoded HMAC) and reports whether it was recorded before.
	SlackRequestSeen(ctx context.Context, signature []byte, signedAt time.Time) (seen bool, err error)
}

// guardTimeout bounds the replay check: Slack gives up on a request after
// 3 s, and a hung database must not hold it past that.
const guardTimeout = 2 * time.Second

// Verifier checks that requests were signed by Slack with the app's signing
// secret (https://api.slack.com/authentication/verifying-requests-from-slack).
type Verifier struct {
	secret []byte
	now    func() time.Time
	maxAge time.Duration
	guard  ReplayGuard
}

// NewVerifier returns a Verifier for the app's signing secret. It accepts
// requests signed up to five minutes before or after its clock, as Slack
// recommends, each once as guard records it. A nil guard remembers them
// in this process only: enough for tests and a single server, not for
// several behind a load balancer, where a replay could reach another one.
func NewVerifier(signingSecret string, guard ReplayGuard) (*Verifier, error) {
	if strings.TrimSpace(signingSecret) == "" {
		return nil, errors.New("bot: Slack signing secret is empty")
	}
	v := &Verifier{secret: []byte(signingSecret), now: time.Now, maxAge: 5 * time.Minute, guard: guard}
	if guard == nil {
		v.guard = &memoryGuard{now: func() time.Time { return v.now() }, maxAge: v.maxAge, seen: map[string]time.Time{}}
	}
	return v, nil
}

// Verify checks the X-Slack-Request-Timestamp and X-Slack-Signature headers
// against body, which must be the raw request body exactly as received.
// Slack: the signature is "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp +
// ":" + body)); a timestamp more than five minutes off is refused so a
// captured request cannot be replayed later, and within those five minutes
// the replay guard refuses it a second time. When the guard cannot answer
// the request is refused with ErrReplayUnchecked, never accepted unchecked.
func (v *Verifier) Verify(ctx context.Context, h http.Header, body []byte) error {
	ts := h.Get(HeaderTimestamp)
	if ts == "" {
		return fmt.Errorf("%w: %s", ErrMissingHeader, HeaderTimestamp)
	}
	sig := h.Get(HeaderSignature)
	if sig == "" {
		return fmt.Errorf("%w: %s", ErrMissingHeader, HeaderSignature)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrBadTimestamp, ts)
	}
	// time.Time.Sub saturates, so absurd timestamps cannot overflow into range.
	if age := v.now().Sub(time.Unix(secs, 0)); age > v.maxAge || age < -v.maxAge {
		return fmt.Errorf("%w: signed at %s, %s off", ErrStaleTimestamp, ts, age)
	}
	hexMAC, ok := strings.CutPrefix(sig, signatureV0+"=")
	if !ok {
		return fmt.Errorf("%w: not a %s signature", ErrBadSignature, signatureV0)
	}
	got, err := hex.DecodeString(hexMAC)
	if err != nil {
		return fmt.Errorf("%w: not hex", ErrBadSignature)
	}
	if !hmac.Equal(got, sign(v.secret, ts, body)) {
		return ErrBadSignature
	}
	// Keyed by the decoded MAC: hex in another letter case is the same request.
	// A connection the database dropped (a restart, a failover): again on
	// another (dropped). An insert that failed may have landed, so "seen"
	// after a failed try is this very request, not a replay.
	seen, tries := false, 0
	err = dropped(ctx, guardTimeout, func(ctx context.Context) error {
		tries++
		s, err := v.guard.SlackRequestSeen(ctx, got, time.Unix(secs, 0))
		seen = s && tries == 1
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrReplayUnchecked, err)
	}
	if seen {
		return fmt.Errorf("%w: this signed request was already received", ErrReplayed)
	}
	return nil
}

// memoryGuard is the ReplayGuard of a Verifier given none: this process's
// memory. Signatures are forgotten once their timestamp is stale, so memory
// stays bounded by the request rate.
type memoryGuard struct {
	now    func() time.Time
	maxAge time.Duration

	mu    sync.Mutex
	seen  map[string]time.Time // signatures accepted, until they go stale
	swept time.Time            // when stale signatures were last dropped
}

func (g *memoryGuard) SlackRequestSeen(_ context.Context, signature []byte, signedAt time.Time) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if now.Sub(g.swept) > time.Second {
		g.swept = now
		for s, at := range g.seen {
			if now.Sub(at) > g.maxAge {
				delete(g.seen, s)
			}
		}
	}
	if _, ok := g.seen[string(signature)]; ok {
		return true, nil
	}
	g.seen[string(signature)] = signedAt
	return false, nil
}

// sign is Slack's v0 signature of body sent at timestamp ts, unencoded.
func sign(secret []byte, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signatureV0 + ":" + ts + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}

// ReadVerified reads at most maxBody bytes of r's body and returns them only
// if Slack signed them. It puts the bytes back as r.Body so the handler can
// still call r.ParseForm for slash commands and interactions.
func ReadVerified(w http.ResponseWriter, r *http.Request, v *Verifier, maxBody int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, fmt.Errorf("%w: limit %d bytes: %w", ErrBodyTooLarge, mbe.Limit, err)
		}
		return nil, fmt.Errorf("read Slack request body: %w", err)
	}
	if err := v.Verify(r.Context(), r.Header, body); err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// Sign returns the X-Slack-Signature value Slack would send for body at
// timestamp ts with signingSecret: what `followup slash` and tests use to
// post requests as Slack does.
func Sign(signingSecret, ts string, body []byte) string {
	return signatureV0 + "=" + hex.EncodeToString(sign([]byte(signingSecret), ts, body))
}
