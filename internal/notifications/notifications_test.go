package notifications_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/i18n"
	"github.com/relasi/relasi/internal/notifications"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/store/storetest"
)

func notify(t *testing.T, s *recordstest.Server, userID int64, msg, link string) {
	t.Helper()
	err := s.DB.WriteTx(context.Background(), func(tx *sql.Tx) error {
		return notifications.Create(context.Background(), tx, userID, "test", notifications.Message{Key: "notifications.text", Args: []notifications.Arg{notifications.Text(msg)}}, link)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInbox(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			var svc *notifications.Service
			s := recordstest.New(t, engine, func(s *recordstest.Server) {
				svc = notifications.New(s.DB, mustCatalog(t))
				svc.RegisterAPI(s.Router)
			})
			ani, aniToken := s.User(t, "ani@example.co.id", auth.Sales, 0)
			for i := 1; i <= 5; i++ {
				notify(t, s, ani.ID, fmt.Sprintf("pesan %d", i), fmt.Sprintf("/leads/%d", i))
			}
			notify(t, s, s.Admin.ID, "for the admin", "")

			messages := func(path string) ([]string, []int64, string) {
				t.Helper()
				res := s.Do(t, aniToken, "GET", path, nil).Want(t, 200).Map(t)
				var msgs []string
				var ids []int64
				for _, it := range res["items"].([]any) {
					m := it.(map[string]any)
					msgs = append(msgs, m["message"].(string))
					var id int64
					fmt.Sscan(fmt.Sprint(m["id"]), &id)
					ids = append(ids, id)
				}
				next, _ := res["next_cursor"].(string)
				return msgs, ids, next
			}
			msgs, ids, _ := messages("/api/v1/notifications")
			if strings.Join(msgs, ",") != "pesan 5,pesan 4,pesan 3,pesan 2,pesan 1" {
				t.Fatalf("newest first: %v", msgs)
			}
			if n, _ := svc.UnreadCount(context.Background(), ani.ID); n != 5 {
				t.Errorf("unread %d, want 5", n)
			}
			// Reading the newest moves it below the unread ones.
			read := s.Do(t, aniToken, "POST", fmt.Sprintf("/api/v1/notifications/%d/read", ids[0]), nil).Want(t, 200).Map(t)
			if read["read_at"] == nil || read["link"] != "/leads/5" {
				t.Errorf("marked read: %v", read)
			}
			msgs, _, _ = messages("/api/v1/notifications")
			if strings.Join(msgs, ",") != "pesan 4,pesan 3,pesan 2,pesan 1,pesan 5" {
				t.Errorf("unread first: %v", msgs)
			}
			msgs, _, _ = messages("/api/v1/notifications?unread=true")
			if len(msgs) != 4 {
				t.Errorf("unread only: %v", msgs)
			}
			// Pages follow the same order.
			page1, _, next := messages("/api/v1/notifications?limit=3")
			page2, _, last := messages("/api/v1/notifications?limit=3&cursor=" + next)
			if strings.Join(append(page1, page2...), ",") != "pesan 4,pesan 3,pesan 2,pesan 1,pesan 5" || last != "" {
				t.Errorf("pages: %v then %v (next %q)", page1, page2, last)
			}
			// Someone else's notification is not found.
			var adminNote int64
			s.DB.Read().QueryRow("SELECT id FROM notifications WHERE user_id = $1", s.Admin.ID).Scan(&adminNote)
			s.Do(t, aniToken, "POST", fmt.Sprintf("/api/v1/notifications/%d/read", adminNote), nil).Want(t, 404)
			s.Do(t, aniToken, "POST", "/api/v1/notifications/abc/read", nil).Want(t, 404)

			all := s.Do(t, aniToken, "POST", "/api/v1/notifications/read-all", nil).Want(t, 200).Map(t)
			if fmt.Sprint(all["marked"]) != "4" {
				t.Errorf("read-all marked %v, want 4", all["marked"])
			}
			if n, _ := svc.UnreadCount(context.Background(), ani.ID); n != 0 {
				t.Errorf("unread after read-all: %d", n)
			}
			if n, _ := svc.UnreadCount(context.Background(), s.Admin.ID); n != 1 {
				t.Errorf("the admin's notification was marked too")
			}
		})
	}
}

func mustCatalog(t testing.TB) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNotificationsReadInTheReadersLanguage: a notification is stored as
// facts and worded when read, so a user who changes language or time zone
// reads it in the new one.
func TestNotificationsReadInTheReadersLanguage(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			s := recordstest.New(t, engine, func(s *recordstest.Server) {
				notifications.New(s.DB, mustCatalog(t)).RegisterAPI(s.Router)
			})
			ani, tok := s.User(t, "ani@example.co.id", auth.Sales, 0)
			due := time.Date(2026, 5, 4, 2, 30, 0, 0, time.UTC)
			err := s.DB.WriteTx(context.Background(), func(tx *sql.Tx) error {
				return notifications.Create(context.Background(), tx, ani.ID, "activity_reminder", notifications.Message{
					Key: "activities.reminder", Args: []notifications.Arg{notifications.Text("Telepon Budi"), notifications.Time(due)}}, "/activities/1")
			})
			if err != nil {
				t.Fatal(err)
			}
			read := func(locale, zone string) string {
				t.Helper()
				if _, err := s.DB.Writer().Exec("UPDATE users SET locale = $1, time_zone = $2 WHERE id = $3", locale, zone, ani.ID); err != nil {
					t.Fatal(err)
				}
				res := s.Do(t, tok, "GET", "/api/v1/notifications", nil).Want(t, 200).Map(t)
				return res["items"].([]any)[0].(map[string]any)["message"].(string)
			}
			id, en := read("id", "Asia/Jakarta"), read("en", "Asia/Makassar")
			if !strings.Contains(id, "Pengingat") || !strings.Contains(id, "Telepon Budi") || !strings.Contains(id, "09.30") && !strings.Contains(id, "09:30") {
				t.Errorf("in Indonesian, Jakarta time: %q", id)
			}
			if !strings.Contains(en, "Reminder") || !strings.Contains(en, "10:30") {
				t.Errorf("in English, Makassar time: %q", en)
			}
		})
	}
}
