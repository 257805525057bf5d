package io.strata.segmentation.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.strata.platform.errors.Errors;
import io.strata.segmentation.config.SegmentationConfig;
import io.strata.segmentation.domain.Segment;
import io.strata.segmentation.messaging.FeedLoop;
import io.strata.segmentation.repository.SegmentRepository;
import io.strata.segmentation.rules.Condition;
import io.strata.segmentation.rules.ConditionParser;
import io.strata.segmentation.rules.Evaluator;
import io.strata.segmentation.rules.InvalidConditionException;
import io.strata.segmentation.rules.SegmentReferences;
import io.strata.segmentation.rules.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creating and changing audiences: every request checked whole (the definition against the tenant's
 * fields and the other audiences) before anything is stored, then the new version applied by the
 * engine before the call answers (or, past {@code strata.segmentation.apply-timeout}, as soon as
 * it can: the stored version is what counts).
 */
@ApplicationScoped
public class SegmentCommands {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SegmentRepository segments;
    private final Engine engine;
    private final FeedLoop loop;
    private final SegmentationConfig config;

    public SegmentCommands(SegmentRepository segments, Engine engine, FeedLoop loop, SegmentationConfig config) {
        this.segments = segments;
        this.engine = engine;
        this.loop = loop;
        this.config = config;
    }

    /** A new audience: a rule (draft, unless asked active) or a static one (active); {@code state} null: the default. */
    public Uni<Segment> create(
            String tenant,
            String id,
            String name,
            String description,
            Segment.Kind kind,
            String definition,
            Segment.State state,
            String by) {
        List<Errors.Violation> violations = new ArrayList<>();
        if (id == null || !ID.matcher(id).matches()) {
            violations.add(new Errors.Violation("segment_id", "letters, digits, '-' and '_', at most 64"));
        }
        checkName(name, violations);
        if (kind == Segment.Kind.STATIC && definition != null && !definition.isBlank()) {
            violations.add(new Errors.Violation("definition", "a static audience has no definition"));
        }
        if (state == null) {
            state = kind == Segment.Kind.STATIC ? Segment.State.ACTIVE : Segment.State.DRAFT;
        }
        if (kind == Segment.Kind.STATIC && state == Segment.State.DRAFT) {
            violations.add(new Errors.Violation("state", "a static audience is active from the start"));
        }
        if (state == Segment.State.ARCHIVED) {
            violations.add(new Errors.Violation("state", "a new audience is a draft or active"));
        }
        Segment.State initial = state;
        return segments.list(tenant).chain(existing -> {
            String normalized = null;
            if (kind == Segment.Kind.RULE) {
                normalized = checkDefinition(tenant, id, definition, initial, existing, violations);
            }
            if (!violations.isEmpty()) {
                throw Errors.invalid(violations);
            }
            Segment draft = new Segment(
                    tenant,
                    id,
                    name,
                    description == null ? "" : description,
                    kind,
                    initial,
                    1,
                    normalized,
                    null,
                    null,
                    by,
                    0,
                    null,
                    null);
            return segments.create(draft).call(this::applied);
        });
    }

    /** A new version of a rule audience (name and description may change without one). */
    public Uni<Segment> update(
            String tenant,
            String id,
            String name,
            String description,
            String definition,
            long expectedVersion,
            String by) {
        List<Errors.Violation> violations = new ArrayList<>();
        checkName(name, violations);
        return segments.list(tenant).chain(existing -> {
            Segment current = find(existing, id);
            if (current.kind() == Segment.Kind.STATIC && definition != null && !definition.isBlank()) {
                violations.add(new Errors.Violation("definition", "a static audience has no definition"));
            }
            String normalized = current.definition();
            // no definition given: name and description change, the version stays
            if (current.kind() == Segment.Kind.RULE && definition != null && !definition.isBlank()) {
                normalized = checkDefinition(tenant, id, definition, current.state(), existing, violations);
            }
            if (!violations.isEmpty()) {
                throw Errors.invalid(violations);
            }
            return segments.update(
                            tenant, id, name, description == null ? "" : description, normalized, expectedVersion, by)
                    .call(this::applied);
        });
    }

    /** draft → active → archived, archived → active. */
    public Uni<Segment> setState(String tenant, String id, Segment.State state, String by) {
        if (state == null) {
            throw Errors.invalid("state", "state is DRAFT, ACTIVE or ARCHIVED");
        }
        return segments.list(tenant).chain(existing -> {
            Segment current = find(existing, id);
            if (current.state() == state) {
                return Uni.createFrom().item(current);
            }
            boolean allowed = switch (state) {
                case ACTIVE -> true;
                case ARCHIVED -> current.state() == Segment.State.ACTIVE || current.state() == Segment.State.DRAFT;
                case DRAFT -> false;
            };
            if (!allowed) {
                throw Errors.precondition("an audience that was active does not become a draft again");
            }
            if (state == Segment.State.ACTIVE && current.kind() == Segment.Kind.RULE) {
                Condition rule = parse(tenant, "definition", current.definition());
                for (String named : Evaluator.references(rule)) {
                    Segment other = byId(existing).get(named);
                    if (other == null || other.state() != Segment.State.ACTIVE) {
                        throw Errors.precondition("segment " + named + ", which " + id + " names, is not active");
                    }
                }
            }
            if (state == Segment.State.ARCHIVED) {
                for (Segment other : existing) {
                    if (other.state() == Segment.State.ACTIVE
                            && other.kind() == Segment.Kind.RULE
                            && !other.id().equals(id)
                            && Evaluator.references(parse(tenant, "definition", other.definition()))
                                    .contains(id)) {
                        throw Errors.precondition("segment " + other.id() + " names " + id + ": archive it first");
                    }
                }
            }
            return segments.setState(tenant, id, state, by).call(this::applied);
        });
    }

    /** A definition read against the tenant's fields; INVALID_ARGUMENT naming each problem's place otherwise. */
    public Condition parse(String tenant, String field, String definition) {
        List<Errors.Violation> violations = new ArrayList<>();
        Condition rule = read(tenant, field, definition, violations);
        if (!violations.isEmpty()) {
            throw Errors.invalid(violations);
        }
        return rule;
    }

    private Condition read(String tenant, String field, String definition, List<Errors.Violation> violations) {
        if (definition == null || definition.isBlank()) {
            violations.add(new Errors.Violation(field, "a rule audience needs a definition"));
            return null;
        }
        JsonNode json;
        try {
            json = JSON.readTree(definition);
        } catch (JsonProcessingException e) {
            violations.add(new Errors.Violation(field, "not JSON: " + e.getOriginalMessage()));
            return null;
        }
        try {
            return new ConditionParser(engine.catalog(tenant)).parse(json);
        } catch (InvalidConditionException e) {
            for (Violation v : e.violations()) {
                violations.add(new Errors.Violation(place(field, v.path()), v.message()));
            }
            return null;
        }
    }

    /** The definition checked (fields, references, cycles), as it is stored: compact JSON. */
    private String checkDefinition(
            String tenant,
            String id,
            String definition,
            Segment.State state,
            List<Segment> existing,
            List<Errors.Violation> violations) {
        Condition rule = read(tenant, "definition", definition, violations);
        if (rule == null) {
            return null;
        }
        Map<String, Segment> byId = byId(existing);
        Map<String, Optional<Condition>> parsed = new HashMap<>();
        for (Violation v : SegmentReferences.check(
                id,
                rule,
                named -> parsed.computeIfAbsent(named, n -> {
                    Segment other = byId.get(n);
                    if (other == null || other.state() == Segment.State.ARCHIVED) {
                        return Optional.empty();
                    }
                    if (other.kind() == Segment.Kind.STATIC) {
                        return Optional.of(new Condition.All(List.of()));
                    }
                    try {
                        return Optional.of(parse(tenant, "definition", other.definition()));
                    } catch (RuntimeException unreadable) {
                        return Optional.of(new Condition.All(List.of()));
                    }
                }))) {
            violations.add(new Errors.Violation(place("definition", v.path()), v.message()));
        }
        if (state == Segment.State.ACTIVE) {
            for (String named : Evaluator.references(rule)) {
                Segment other = byId.get(named);
                if (other != null && other.state() == Segment.State.DRAFT) {
                    violations.add(new Errors.Violation(
                            "definition", "segment " + named + " is a draft: an active audience names active ones"));
                }
            }
        }
        try {
            return JSON.writeValueAsString(JSON.readTree(definition));
        } catch (JsonProcessingException e) {
            return definition;
        }
    }

    private static String place(String field, String path) {
        return path == null || path.isEmpty() || path.equals("$") ? field : field + "." + path;
    }

    private static void checkName(String name, List<Errors.Violation> violations) {
        if (name == null || name.isBlank()) {
            violations.add(new Errors.Violation("name", "name is required"));
        } else if (name.length() > 200) {
            violations.add(new Errors.Violation("name", "at most 200 characters"));
        }
    }

    private static Segment find(List<Segment> existing, String id) {
        Segment current = byId(existing).get(id);
        if (current == null) {
            throw Errors.notFound("segment " + id + " not found");
        }
        return current;
    }

    private static Map<String, Segment> byId(List<Segment> existing) {
        Map<String, Segment> out = new HashMap<>();
        existing.forEach(s -> out.put(s.id(), s));
        return out;
    }

    /** Waits (at most the apply timeout) for this replica's engine to apply what was stored. */
    private Uni<Void> applied(Segment stored) {
        return synced();
    }

    /**
     * Waits (at most the apply timeout) until this replica's engine has applied every audience stored
     * so far (one created or edited through another replica a moment ago).
     */
    public Uni<Void> synced() {
        return Uni.createFrom()
                .completionStage(loop::sync)
                .ifNoItem()
                .after(config.applyTimeout())
                .recoverWithItem((Void) null)
                .replaceWithVoid();
    }
}
