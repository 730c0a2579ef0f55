package remote

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// LoadTLS builds a node's TLS config from PEM files: its certificate and key,
// and the CA certificate(s) that sign every node's certificate. The same
// config serves Serve and Dial. Every node needs a certificate valid for
// both server and client authentication (extended key usages serverAuth and
// clientAuth), because protoactor's remote connects in both directions: the
// client dials the server with requests, and the server dials the client
// back with replies.
func LoadTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: load certificate %q and key %q: %w", ErrInvalidConfig, certFile, keyFile, err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("%w: read CA file: %w", ErrInvalidConfig, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: CA file %q holds no PEM certificate", ErrInvalidConfig, caFile)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ClientCAs: pool, MinVersion: tls.VersionTLS13}, nil
}

// checkTLS refuses a config that cannot do mutual TLS.
func checkTLS(c *tls.Config) error {
	if c == nil {
		return fmt.Errorf("%w: TLS is required (mutual TLS: use LoadTLS or a *tls.Config)", ErrInvalidConfig)
	}
	if len(c.Certificates) == 0 && c.GetCertificate == nil && c.GetClientCertificate == nil {
		return fmt.Errorf("%w: TLS: no certificate for this node", ErrInvalidConfig)
	}
	if c.RootCAs == nil && c.ClientCAs == nil {
		return fmt.Errorf("%w: TLS: no CA pool (RootCAs) to verify peers", ErrInvalidConfig)
	}
	if c.InsecureSkipVerify {
		return fmt.Errorf("%w: TLS: InsecureSkipVerify would accept any peer", ErrInvalidConfig)
	}
	return nil
}

// serverTLS is the listening side: it requires and verifies the peer's
// certificate against ClientCAs (or RootCAs).
func serverTLS(c *tls.Config) *tls.Config {
	s := c.Clone()
	s.ClientAuth = tls.RequireAndVerifyClientCert
	if s.ClientCAs == nil {
		s.ClientCAs = s.RootCAs
	}
	if s.MinVersion == 0 {
		s.MinVersion = tls.VersionTLS13
	}
	return s
}

// dialTLS is the dialling side: it presents this node's certificate and
// verifies the peer's against RootCAs (or ClientCAs), for the dialled host
// unless ServerName names the one every peer's certificate carries.
func dialTLS(c *tls.Config) *tls.Config {
	d := c.Clone()
	if d.RootCAs == nil {
		d.RootCAs = d.ClientCAs
	}
	if d.MinVersion == 0 {
		d.MinVersion = tls.VersionTLS13
	}
	return d
}
