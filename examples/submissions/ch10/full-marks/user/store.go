package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/gomodule/redigo/redis"
)

const (
	cacheTTL = 5 * time.Minute // how long a user record stays in the Redis cache
	tokenTTL = time.Hour       // how long a login token is valid
)

var (
	errNotFound = errors.New("no such user")
	errExists   = errors.New("username already taken")
)

// user is one row of the `user` table. The password hash never leaves the service:
// it has no JSON name, so it is neither sent to clients nor written to the cache.
type user struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	Email        string    `json:"email"`
	CreatedAt    time.Time `json:"created_at"`
	passwordHash string
}

// store holds the two connection pools. Creating it contacts neither server.
type store struct {
	db    *sql.DB
	redis *redis.Pool
}

func newStore(cfg config) (*store, error) {
	dsn := mysql.NewConfig()
	dsn.User = cfg.MySQLUser
	dsn.Passwd = cfg.MySQLPassword
	dsn.Net = "tcp"
	dsn.Addr = cfg.MySQLAddr
	dsn.DBName = cfg.MySQLDatabase
	dsn.ParseTime = true
	dsn.Timeout = 3 * time.Second
	dsn.ReadTimeout = 5 * time.Second
	dsn.WriteTimeout = 5 * time.Second
	db, err := sql.Open("mysql", dsn.FormatDSN()) // checks the settings only
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(10)
	db.SetConnMaxLifetime(5 * time.Minute)

	pool := &redis.Pool{
		MaxIdle:     4,
		MaxActive:   20,
		IdleTimeout: time.Minute,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", cfg.RedisAddr,
				redis.DialConnectTimeout(3*time.Second),
				redis.DialReadTimeout(3*time.Second),
				redis.DialWriteTimeout(3*time.Second))
		},
		TestOnBorrow: func(c redis.Conn, idleSince time.Time) error {
			if time.Since(idleSince) < 30*time.Second {
				return nil
			}
			_, err := c.Do("PING")
			return err
		},
	}
	return &store{db: db, redis: pool}, nil
}

func (s *store) Close() {
	s.redis.Close()
	s.db.Close()
}

// do runs one Redis command on a pooled connection.
func (s *store) do(ctx context.Context, cmd string, args ...interface{}) (interface{}, error) {
	c, err := s.redis.GetContext(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Do(cmd, args...)
}

// check asks both stores whether they answer now: name → nil (ok) or the error.
func (s *store) check(ctx context.Context) map[string]error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, redisErr := s.do(ctx, "PING")
	return map[string]error{"redis": redisErr, "mysql": s.db.PingContext(ctx)}
}

// watch checks the stores every interval and logs each change ("mysql is not
// reachable yet ..." until it is, then "mysql is ok"). This loop, plus /ready, is what
// replaces a sleep in main: the process is up at once and tells you what it waits for.
func (s *store) watch(ctx context.Context, every time.Duration) {
	last := map[string]string{}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		res := s.check(ctx)
		if ctx.Err() != nil {
			return
		}
		for _, name := range []string{"redis", "mysql"} {
			now := "ok"
			if res[name] != nil {
				now = res[name].Error()
			}
			if now != last[name] {
				if res[name] != nil {
					log.Printf("%s is not reachable (checking again every %s): %v", name, every, res[name])
				} else {
					log.Printf("%s is ok", name)
				}
				last[name] = now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *store) createUser(ctx context.Context, name, email, hash string) (user, error) {
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO `user` (username, email, password_hash) VALUES (?, ?, ?)", name, email, hash)
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) && myErr.Number == 1062 { // ER_DUP_ENTRY: the unique key
		return user{}, errExists
	}
	if err != nil {
		return user{}, err
	}
	return s.userFromDB(ctx, name)
}

func (s *store) userFromDB(ctx context.Context, name string) (user, error) {
	var u user
	err := s.db.QueryRowContext(ctx,
		"SELECT id, username, email, password_hash, created_at FROM `user` WHERE username = ?",
		name).Scan(&u.ID, &u.Username, &u.Email, &u.passwordHash, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errNotFound
	}
	return u, err
}

// getUser reads through the cache: Redis first; on a miss MySQL, then fill the cache.
// If Redis is down the answer still comes from MySQL (and the log says so).
func (s *store) getUser(ctx context.Context, name string) (u user, cached bool, err error) {
	key := "user:" + name
	raw, err := redis.Bytes(s.do(ctx, "GET", key))
	switch {
	case err == nil && json.Unmarshal(raw, &u) == nil:
		return u, true, nil
	case err != nil && !errors.Is(err, redis.ErrNil):
		log.Printf("cache read of %s failed, asking mysql: %v", key, err)
	}
	u, err = s.userFromDB(ctx, name)
	if err != nil {
		return u, false, err
	}
	if raw, err := json.Marshal(u); err == nil {
		if _, err := s.do(ctx, "SET", key, raw, "EX", int(cacheTTL.Seconds())); err != nil {
			log.Printf("cache write of %s failed: %v", key, err)
		}
	}
	return u, false, nil
}

func (s *store) deleteUser(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM `user` WHERE username = ?", name)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errNotFound
	}
	// the cached copy must go too, or GET would keep answering for a deleted user
	if _, err := s.do(ctx, "DEL", "user:"+name); err != nil {
		log.Printf("could not drop user:%s from the cache: %v", name, err)
	}
	return nil
}

// saveToken keeps a login token in Redis; Redis deletes it when the TTL runs out.
func (s *store) saveToken(ctx context.Context, token, name string) error {
	_, err := s.do(ctx, "SET", "token:"+token, name, "EX", int(tokenTTL.Seconds()))
	return err
}
