package notify_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/hypercare/hypercare"
	"github.com/hypercare/hypercare/escalate"
	"github.com/hypercare/hypercare/notify"
	"github.com/hypercare/hypercare/storetest"
)

// A page's message names its service as the directory (the config) does,
// without a store read; a service the directory does not name is read
// from the store's catalog.
func TestMessageServiceName(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, eng storetest.Engine) {
		s := newStorm(t, eng.Open(t)) // the store's catalog names "shop" "Checkout"
		for _, tc := range []struct {
			services []hypercare.Service
			want     string
		}{
			{[]hypercare.Service{{ID: "shop", Name: "Checkout (config)"}}, "Checkout (config)"},
			{nil, "Checkout"},
		} {
			d := escalate.NewDirectory([]hypercare.User{alice["alice"]}, nil, nil, tc.services, nil)
			sms := &recorder{}
			channels := notify.NewRegistry()
			channels.Register(hypercare.ContactSMS, sms)
			e := notify.NewEngine(s.st, s.clk, channels, func() notify.Directory { return d }, slog.New(slog.NewTextHandler(io.Discard, nil)))
			s.page("alice-sms", hypercare.ContactSMS)
			s.run(e)
			if msgs := sms.all(); len(msgs) != 1 || msgs[0].ServiceName != tc.want {
				t.Errorf("directory %v: messages %+v, want one naming %q", tc.services, msgs, tc.want)
			}
		}
	})
}
