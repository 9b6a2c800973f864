// Built once while the image is made, only to fill the Go build cache.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"clabs.dev/labhttp"
	_ "github.com/go-sql-driver/mysql"
	"github.com/gomodule/redigo/redis"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	var mu sync.Mutex
	mu.Lock()
	mu.Unlock()
	_, _ = sql.Open("mysql", "root@tcp(127.0.0.1:3306)/x")
	_ = redis.Pool{}
	_, _ = json.Marshal(map[string]string{"a": strings.ToUpper("b")})
	_ = errors.New(strconv.Itoa(1))
	_ = flag.CommandLine
	_, _ = net.ResolveTCPAddr("tcp", ":0")
	_ = http.Server{Addr: ":0"}
	_ = labhttp.HeaderNames(http.Header{})
	log.Println(fmt.Sprint(ctx.Err(), time.Now(), os.Getpid()))
}
