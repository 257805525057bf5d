package io.strata.campaign.repository;

import io.strata.campaign.journey.Catalog;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** A tenant's message templates, approved senders and send policy. */
public final class CatalogRepository {

    /** The channels campaign-service has adapters for. */
    public static final Set<String> CHANNELS = Set.of("sms", "push", "email", "wechat", "wecom", "webhook");

    private CatalogRepository() {}

    public record TemplateRow(String channel, String template, String body, boolean approved, boolean optOut) {}

    public static List<TemplateRow> templates(Db.Session s, String tenant) {
        var out = new ArrayList<TemplateRow>();
        for (Row row : s.query(
                "select channel, template, body, approved, opt_out from templates where tenant = $1 order by channel,"
                        + " template",
                Tuple.of(tenant))) {
            out.add(new TemplateRow(
                    row.getString("channel"),
                    row.getString("template"),
                    row.getString("body"),
                    row.getBoolean("approved"),
                    row.getBoolean("opt_out")));
        }
        return out;
    }

    public static void saveTemplate(Db.Session s, String tenant, TemplateRow t) {
        s.query(
                "insert into templates (tenant, channel, template, body, approved, opt_out) values ($1, $2, $3, $4, $5,"
                        + " $6) on conflict (tenant, channel, template) do update set body = excluded.body,"
                        + " approved = excluded.approved, opt_out = excluded.opt_out",
                Tuple.from(List.of(tenant, t.channel(), t.template(), t.body(), t.approved(), t.optOut())));
    }

    /** channel → approved senders. */
    public static Map<String, Set<String>> senders(Db.Session s, String tenant) {
        var out = new TreeMap<String, Set<String>>();
        for (Row row : s.query(
                "select channel, sender from senders where tenant = $1 order by channel, sender", Tuple.of(tenant))) {
            out.computeIfAbsent(row.getString("channel"), c -> new TreeSet<>()).add(row.getString("sender"));
        }
        return out;
    }

    public static void setSender(Db.Session s, String tenant, String channel, String sender, boolean approved) {
        s.query(
                approved
                        ? "insert into senders (tenant, channel, sender) values ($1, $2, $3) on conflict do nothing"
                        : "delete from senders where tenant = $1 and channel = $2 and sender = $3",
                Tuple.of(tenant, channel, sender));
    }

    public static Optional<String> policy(Db.Session s, String tenant) {
        for (Row row : s.query("select policy from send_policies where tenant = $1", Tuple.of(tenant))) {
            return Optional.of(row.getValue("policy").toString());
        }
        return Optional.empty();
    }

    public static void setPolicy(Db.Session s, String tenant, String json) {
        s.query(
                "insert into send_policies (tenant, policy) values ($1, $2::text::jsonb) on conflict (tenant) do update set"
                        + " policy = excluded.policy, updated_at = now()",
                Tuple.of(tenant, json));
    }

    /** What journeys of the tenant may name: these audiences, its templates and senders, the known channels. */
    public static Catalog catalog(Db.Session s, String tenant, Set<String> audiences) {
        var templates = new HashMap<String, Catalog.Template>();
        for (TemplateRow t : templates(s, tenant)) {
            templates.put(t.channel() + "/" + t.template(), new Catalog.Template(t.approved(), t.optOut()));
        }
        var senders = new HashSet<String>();
        senders(s, tenant).forEach((channel, list) -> list.forEach(sender -> senders.add(channel + "/" + sender)));
        return new Catalog() {
            public boolean audience(String key) {
                return audiences.contains(key);
            }

            public boolean channel(String channel) {
                return CHANNELS.contains(channel);
            }

            public boolean sender(String channel, String sender) {
                return senders.contains(channel + "/" + sender);
            }

            public Optional<Template> template(String channel, String template) {
                return Optional.ofNullable(templates.get(channel + "/" + template));
            }
        };
    }
}
