package main

import (
	"strings"
	"testing"
)

func TestListenHostPort(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr, host string
		port       int
		err        string
	}{
		{"127.0.0.1:7233", "127.0.0.1", 7233, ""},
		{"localhost:7244", "127.0.0.1", 7244, ""},
		{":7233", "0.0.0.0", 7233, ""},
		{"[::1]:0", "::1", 0, ""},
		{"temporal.example.com:7233", "", 0, "IP address"},
		{"127.0.0.1", "", 0, "not host:port"},
		{"127.0.0.1:http", "", 0, "not a number"},
		{"127.0.0.1:70000", "", 0, "not a number"},
	} {
		host, port, err := listenHostPort(tc.addr)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v, want an error saying %q", tc.addr, err, tc.err)
			}
			continue
		}
		if err != nil || host != tc.host || port != tc.port {
			t.Errorf("%q: %q %d %v, want %q %d", tc.addr, host, port, err, tc.host, tc.port)
		}
	}
}

func TestTemporalCommandBadAddress(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errs := c.run("", "temporal", "--address", "temporal.example.com:7233"); code != 2 || !strings.Contains(errs, "--address") {
		t.Errorf("bad --address: exit %d %q", code, errs)
	}
	c.env["TEMPORAL_ADDRESS"] = "10.0.0.1:http"
	if code, _, errs := c.run("", "temporal"); code != 2 || !strings.Contains(errs, "TEMPORAL_ADDRESS") {
		t.Errorf("bad TEMPORAL_ADDRESS: exit %d %q", code, errs)
	}
	if code, out, _ := c.run("", "temporal", "--help"); code != 0 || !strings.Contains(out, "--address") {
		t.Errorf("help: exit %d %q", code, out)
	}
}
