package notify

import (
	"context"
	"errors"
	"testing"

	"github.com/hypercare/hypercare"
)

type senderFunc func(context.Context, Message) error

func (f senderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	var got []string
	r.Register(hypercare.ContactWebhook, senderFunc(func(_ context.Context, m Message) error {
		got = append(got, "webhook:"+m.Notification.ID)
		return nil
	}))
	r.Register(hypercare.ContactSlack, senderFunc(func(context.Context, Message) error {
		return errors.New("slack down")
	}))

	if err := r.Send(context.Background(), Message{Notification: hypercare.Notification{ID: "n1", Type: hypercare.ContactWebhook}}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "webhook:n1" {
		t.Errorf("webhook sender got %v", got)
	}
	err := r.Send(context.Background(), Message{Notification: hypercare.Notification{Type: hypercare.ContactSlack}})
	if err == nil || err.Error() != "slack down" || IsPermanent(err) {
		t.Errorf("slack error = %v; the sender's error must pass through unchanged", err)
	}

	for _, typ := range []hypercare.ContactType{hypercare.ContactSMS, "", "pigeon"} {
		_, err := r.Sender(typ)
		if !errors.Is(err, ErrUnsupported) || !IsPermanent(err) {
			t.Errorf("Sender(%q) = %v, want a permanent ErrUnsupported", typ, err)
		}
		if err := r.Send(context.Background(), Message{Notification: hypercare.Notification{Type: typ}}); !IsPermanent(err) {
			t.Errorf("Send(%q) = %v, want permanent", typ, err)
		}
	}

	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	mustPanic("duplicate Register", func() { r.Register(hypercare.ContactWebhook, senderFunc(nil)) })
	mustPanic("nil Register", func() { r.Register(hypercare.ContactEmail, nil) })
}

func TestRegistryTypes(t *testing.T) {
	r := NewRegistry()
	if got := r.Types(); len(got) != 0 {
		t.Errorf("empty registry types = %v", got)
	}
	r.Register(hypercare.ContactWebhook, senderFunc(nil))
	r.Register(hypercare.ContactEmail, senderFunc(nil))
	if got := r.Types(); len(got) != 2 || got[0] != hypercare.ContactEmail || got[1] != hypercare.ContactWebhook {
		t.Errorf("types = %v, want [email webhook]", got)
	}
}
