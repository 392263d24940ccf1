package meta

import (
	"net/http"
	"testing"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels/provider"
)

func TestSendError(t *testing.T) {
	tests := []struct {
		status int
		body   string
		class  followup.SendErrorClass
		code   string
	}{
		{400, `{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100}}`, followup.Permanent, "100"},
		{400, `{"error":{"message":"(#613) Calls exceeded","code":613}}`, followup.Retryable, "613"},
		// A 5xx is Meta's outage whatever code it carries.
		{503, `{"error":{"message":"(#100) odd","code":100}}`, followup.Retryable, "100"},
		{502, `<html>bad gateway</html>`, followup.Retryable, "http_502"},
		{404, ``, followup.Permanent, "http_404"},
	}
	for _, tt := range tests {
		se := SendError(provider.Answer{StatusCode: tt.status, Header: http.Header{}, Body: []byte(tt.body)}, nil)
		if se.Class != tt.class || se.Code != tt.code || se.Message == "" {
			t.Errorf("%d %s: %+v", tt.status, tt.body, se)
		}
	}
}
