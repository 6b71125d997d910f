//! TLS for QUIC: every peer presents its own self-signed certificate (both directions), every
//! certificate is accepted, and identity is the certificate's SHA-256 fingerprint.
//!
//! The handshake still proves key possession (TLS 1.3 CertificateVerify is checked with the
//! certificate's public key), so after the handshake [`peer_id_of`] returns an id nobody can
//! claim without the matching private key. Callers compare it with the id the peer claims
//! (mDNS TXT, Hello) before trusting anything it says.

use std::sync::Arc;

use lanspread_proto::PeerId;
use rustls::{
    DigitallySignedStruct, DistinguishedName, SignatureScheme,
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{CryptoProvider, WebPkiSupportedAlgorithms, aws_lc_rs, verify_tls13_signature},
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime},
    server::danger::{ClientCertVerified, ClientCertVerifier},
};
use s2n_quic::provider::event::{self, ConnectionInfo, ConnectionMeta, Subscriber};

use crate::identity::{Identity, fingerprint};

fn provider() -> CryptoProvider {
    let base = aws_lc_rs::default_provider();
    CryptoProvider {
        cipher_suites: vec![
            aws_lc_rs::cipher_suite::TLS13_AES_128_GCM_SHA256,
            aws_lc_rs::cipher_suite::TLS13_AES_256_GCM_SHA384,
            aws_lc_rs::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        ],
        ..base
    }
}

/// The rustls configurations for the QUIC server and client endpoints.
pub(crate) struct TlsConfigs {
    pub(crate) server: rustls::ServerConfig,
    pub(crate) client: rustls::ClientConfig,
}

pub(crate) fn configs(identity: &Identity, alpn: &str) -> Result<TlsConfigs, rustls::Error> {
    let provider = Arc::new(provider());
    let algs = provider.signature_verification_algorithms;
    let cert = vec![CertificateDer::from(identity.cert_der.clone())];
    let key = || PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der.clone()));

    let mut server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(Arc::new(AnyCert { algs }))
        .with_single_cert(cert.clone(), key())?;
    server.alpn_protocols = vec![alpn.as_bytes().to_vec()];
    server.max_fragment_size = None;
    server.ignore_client_order = true;

    let mut client = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCert { algs }))
        .with_client_auth_cert(cert, key())?;
    client.alpn_protocols = vec![alpn.as_bytes().to_vec()];
    client.max_fragment_size = None;
    Ok(TlsConfigs { server, client })
}

/// Accepts any certificate (identity is checked by fingerprint after the handshake) while
/// still verifying the handshake signature against the certificate's key.
#[derive(Debug)]
struct AnyCert {
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::PeerIncompatible(rustls::PeerIncompatible::Tls12NotOffered))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

impl ClientCertVerifier for AnyCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::PeerIncompatible(rustls::PeerIncompatible::Tls12NotOffered))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

/// Per-connection record of the peer's certificate fingerprint, filled in when the TLS
/// session becomes available.
#[derive(Debug, Default)]
pub(crate) struct PeerCertContext {
    pub(crate) peer_id: Option<PeerId>,
}

/// s2n-quic event subscriber that captures each connection's peer certificate fingerprint.
#[derive(Debug, Default)]
pub(crate) struct PeerCertSubscriber;

impl Subscriber for PeerCertSubscriber {
    type ConnectionContext = PeerCertContext;

    fn create_connection_context(
        &mut self,
        _meta: &ConnectionMeta,
        _info: &ConnectionInfo<'_>,
    ) -> Self::ConnectionContext {
        PeerCertContext::default()
    }

    fn on_tls_exporter_ready(
        &mut self,
        context: &mut Self::ConnectionContext,
        _meta: &ConnectionMeta,
        event: &event::events::TlsExporterReady<'_>,
    ) {
        if let Ok(chain) = event.session.peer_cert_chain_der() {
            context.peer_id = chain.first().map(|leaf| fingerprint(leaf));
        }
    }

    /// An inbound connection that never completed TLS (another lanspread protocol version,
    /// whose ALPN does not match, or not a lanspread peer at all) gets a log line: s2n-quic
    /// refuses it before any request reaches the server.
    fn on_connection_closed(
        &mut self,
        context: &mut Self::ConnectionContext,
        meta: &ConnectionMeta,
        event: &event::events::ConnectionClosed,
    ) {
        if context.peer_id.is_none()
            && matches!(meta.endpoint_type, event::events::EndpointType::Server { .. })
        {
            tracing::info!(
                error = %event.error,
                "refused an inbound connection during the QUIC/TLS handshake (another protocol version, or not a lanspread peer)"
            );
        }
    }
}

/// The verified peer id of an established connection.
pub(crate) fn peer_id_of(conn: &s2n_quic::connection::Handle) -> Option<PeerId> {
    conn.query_event_context(|ctx: &PeerCertContext| ctx.peer_id).ok().flatten()
}
