//! Meta's WhatsApp Cloud API: text in a conversation, approved templates for reminders.

use serde_json::{Value, json};

use super::{Gateway, Outcome, Outgoing, classify, read, snippet};

impl Gateway {
    pub(super) fn meta(&self, m: &Outgoing<'_>) -> Outcome {
        let Some(phone_id) = &self.cfg.phone_number_id else {
            return Outcome::AuthFailed {
                error: "Meta: no phone_number_id configured".into(),
            };
        };
        let url = format!(
            "{}/{}/{}/messages",
            self.cfg.base_url, self.cfg.api_version, phone_id
        );
        // What the business starts needs an approved template, and so does
        // anything sent outside the customer's 24-hour window.
        let template = m
            .kind
            .filter(|k| k.business_initiated() || m.outside_window)
            .and_then(|k| self.cfg.templates.get(k.as_str()));
        if m.outside_window && template.is_none() {
            let kind = m.kind.map_or("a conversation reply", |k| k.as_str());
            return Outcome::Failed {
                error: format!(
                    "more than 24 hours after the customer's last message: Meta then takes only an approved template, and none is mapped for {kind}"
                ),
            };
        }
        let body = match template {
            Some(t) => {
                let names: &[String] = if t.parameters.is_empty() {
                    m.placeholders
                } else {
                    &t.parameters
                };
                let parameters: Vec<Value> = names
                    .iter()
                    .map(|p| {
                        let text = m
                            .vars
                            .get(p)
                            .filter(|v| !v.is_empty())
                            .map_or("-", String::as_str);
                        json!({"type": "text", "text": text})
                    })
                    .collect();
                let mut template = json!({"name": t.name, "language": {"code": t.language}});
                if !parameters.is_empty() {
                    template["components"] = json!([{"type": "body", "parameters": parameters}]);
                }
                json!({
                    "messaging_product": "whatsapp",
                    "to": m.to,
                    "type": "template",
                    "template": template,
                })
            }
            _ => json!({
                "messaging_product": "whatsapp",
                "to": m.to,
                "type": "text",
                "text": {"body": m.body},
            }),
        };
        let sent = self
            .client
            .post(url)
            .bearer_auth(self.token())
            .json(&body)
            .send();
        let (status, retry_after, body) = match read(sent) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Outcome::Sent {
                id: json["messages"][0]["id"].as_str().map(str::to_owned),
            };
        }
        let code = json["error"]["code"].as_i64();
        let text = match (code, json["error"]["message"].as_str()) {
            (Some(c), Some(msg)) => format!("Meta {status}: ({c}) {msg}"),
            _ => format!("Meta {status}: {}", snippet(&body)),
        };
        match code {
            // Throughput and pair rate limits: slow down, try again.
            Some(130429 | 131056 | 4 | 80007) => Outcome::Retry {
                error: text,
                after: retry_after,
            },
            // Access token expired or invalid.
            Some(190) => Outcome::AuthFailed { error: text },
            _ => classify(status, text, retry_after),
        }
    }
}
