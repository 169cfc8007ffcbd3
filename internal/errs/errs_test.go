package errs

import (
	"fmt"
	"testing"
)

func TestCodeOfFollowsWrapping(t *testing.T) {
	wrapped := fmt.Errorf("create user: %w", E(Conflict, "email taken"))
	if got := CodeOf(wrapped); got != Conflict {
		t.Fatalf("CodeOf(wrapped conflict) = %q, want %q", got, Conflict)
	}
	if got := CodeOf(fmt.Errorf("disk full")); got != Internal {
		t.Fatalf("CodeOf(plain error) = %q, want internal", got)
	}
	if got := CodeOf(nil); got != "" {
		t.Fatalf("CodeOf(nil) = %q, want empty", got)
	}
}

func TestFieldsErr(t *testing.T) {
	var v Fields
	if v.Err() != nil {
		t.Fatal("no fields recorded must give a nil error")
	}
	v.Add("password", "too_short", "must be at least %d characters", 10)
	v.Add("email", "required", "is required")
	e, ok := As(v.Err())
	if !ok || e.Code != Invalid {
		t.Fatalf("want an Invalid *Error, got %v", v.Err())
	}
	if e.Fields[0].Field != "email" {
		t.Errorf("fields should be sorted by name, first is %q", e.Fields[0].Field)
	}
	if got := e.Field("password"); got != "must be at least 10 characters" {
		t.Errorf("Field(password) = %q", got)
	}
	if e.Field("name") != "" {
		t.Error("Field of a valid field must be empty")
	}
}
