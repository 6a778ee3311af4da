//! Bridges device telemetry from the MQTT broker into the metrics pipeline.

use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS};
use serde::Deserialize;
use tokio::sync::mpsc;
use tracing::{info, warn};

#[derive(Debug, Clone, Deserialize)]
pub struct BridgeConfig {
    pub host: String,
    pub port: u16,
    pub client_id: String,
    pub topic: String,
    /// Seconds to wait before reconnecting after the broker drops us.
    pub reconnect_delay_secs: u64,
}

#[derive(Debug, Deserialize)]
pub struct Reading {
    pub device: String,
    pub metric: String,
    pub value: f64,
}

pub struct Bridge {
    cfg: BridgeConfig,
    out: mpsc::Sender<Reading>,
}

impl Bridge {
    pub fn new(cfg: BridgeConfig, out: mpsc::Sender<Reading>) -> Self {
        Self { cfg, out }
    }

    fn connect(&self) -> (AsyncClient, EventLoop) {
        let mut opts = MqttOptions::new(&self.cfg.client_id, &self.cfg.host, self.cfg.port);
        opts.set_keep_alive(Duration::from_secs(30));
        opts.set_clean_session(false);
        AsyncClient::new(opts, 64)
    }

    async fn forward(&self, payload: &[u8]) {
        match serde_json::from_slice::<Reading>(payload) {
            Ok(reading) => {
                if self.out.send(reading).await.is_err() {
                    warn!("metrics pipeline closed");
                }
            }
            Err(err) => warn!(%err, "dropping malformed reading"),
        }
    }

    /// Runs forever; a broker restart or network blip is followed by a reconnect.
    pub async fn run(self) {
        let delay = Duration::from_secs(self.cfg.reconnect_delay_secs);
        loop {
            let (client, mut events) = self.connect();
            if let Err(err) = client
                .subscribe(self.cfg.topic.as_str(), QoS::AtLeastOnce)
                .await
            {
                warn!(%err, "subscribe request failed");
            }
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::Publish(p))) => self.forward(&p.payload).await,
                    Ok(Event::Incoming(Packet::ConnAck(_))) => info!("connected to broker"),
                    Ok(_) => {}
                    Err(err) => {
                        warn!(%err, ?delay, "broker connection lost");
                        break;
                    }
                }
            }
            tokio::time::sleep(delay).await;
        }
    }
}
