package remote

import (
	"context"
	"fmt"

	"github.com/liteactor/liteactor"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/ncruces/go-sqlite3"
	"google.golang.org/protobuf/proto"
)

// pageHeadroom is what a QueryReply needs besides its rows and columns.
const pageHeadroom = 256

// result is a query's result cut into pages, each at most MaxMessageBytes
// as a QueryReply; every page's bytes are reserved in the cursor table.
type result struct {
	columns   []string
	pages     [][]*pb.Row
	sizes     []int64
	truncated bool
}

// runQuery runs m's statement on a reader in one read transaction (one
// snapshot for every page), and pages the rows as it steps: it never holds
// more than MaxResultBytes, nor more than the cursor table allows.
func (s *Server) runQuery(ctx context.Context, m *pb.QueryRequest) (*result, error) {
	var res *result
	err := s.eng.Read(ctx, func(conn *sqlite3.Conn) error {
		if res != nil {
			s.releaseResult(res)
		}
		res = &result{}
		return s.stepQuery(conn, m, res)
	})
	if err != nil {
		if res != nil {
			s.releaseResult(res)
		}
		return nil, err
	}
	return res, nil
}

func (s *Server) releaseResult(res *result) {
	for _, n := range res.sizes {
		s.cur.release(n)
	}
	res.sizes = nil
}

func (s *Server) stepQuery(conn *sqlite3.Conn, m *pb.QueryRequest, res *result) error {
	stmt, tail, err := conn.Prepare(m.GetStmt().GetSql())
	if err != nil {
		return err
	}
	if stmt == nil {
		return fmt.Errorf("%w: no SQL statement", liteactor.ErrInvalidArg)
	}
	defer stmt.Close()
	if more, _, err := conn.Prepare(tail); err != nil || more != nil {
		if more != nil {
			more.Close()
		}
		return fmt.Errorf("%w: Query takes one statement", liteactor.ErrInvalidArg)
	}
	if err := bindValues(stmt, m.GetStmt().GetArgs()); err != nil {
		return err
	}
	n := stmt.ColumnCount()
	res.columns = make([]string, n)
	budget := s.cfg.MaxMessageBytes - pageHeadroom
	for i := range res.columns {
		res.columns[i] = stmt.ColumnName(i)
		budget -= len(res.columns[i]) + 4
	}
	if budget < 1024 {
		return gatewayError(pb.ErrorKind_TOO_LARGE, "column names alone exceed MaxMessageBytes %d", s.cfg.MaxMessageBytes)
	}
	pageRows, maxRows := int(m.GetPageRows()), m.GetMaxRows()
	var (
		page  []*pb.Row
		bytes int // of page
		total int64
		rows  uint64
	)
	flush := func() error {
		if !s.cur.reserve(int64(bytes)) {
			s.n.overloaded.Add(1)
			return gatewayError(pb.ErrorKind_OVERLOADED, "query results held by the gateway would exceed MaxCursorBytes %d", s.cfg.MaxCursorBytes)
		}
		res.pages = append(res.pages, page)
		res.sizes = append(res.sizes, int64(bytes))
		page, bytes = nil, 0
		return nil
	}
	for stmt.Step() {
		if maxRows > 0 && rows == maxRows {
			res.truncated = true
			break
		}
		row := &pb.Row{Values: make([]*pb.Value, n)}
		for i := range n {
			row.Values[i] = columnValue(stmt, i)
		}
		sz := proto.Size(row) + 6 // tag and length of the row in the page
		if sz > budget {
			return gatewayError(pb.ErrorKind_TOO_LARGE, "row %d is %d bytes; MaxMessageBytes is %d", rows, sz, s.cfg.MaxMessageBytes)
		}
		total += int64(sz)
		if total > s.cfg.MaxResultBytes {
			return gatewayError(pb.ErrorKind_TOO_LARGE, "the result exceeds MaxResultBytes %d (ask for fewer rows: LIMIT, max_rows)", s.cfg.MaxResultBytes)
		}
		if bytes+sz > budget || (pageRows > 0 && len(page) == pageRows) {
			if err := flush(); err != nil {
				return err
			}
		}
		page = append(page, row)
		bytes += sz
		rows++
	}
	if err := stmt.Err(); err != nil {
		return err
	}
	return flush()
}
