package io.strata.campaign.journey;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a journey's graph and references: one trigger, every {@code next} known, no cycle, every
 * node reachable from the trigger, every path ending at an exit, arms that make sense, and the
 * audiences, channels, senders and templates known to the tenant. Each violation names its node.
 */
public final class JourneyValidator {

    /** Channels whose marketing messages carry a sender the provider approved (SMS signature, official account). */
    private static final Set<String> SENDER_REQUIRED = Set.of("sms", "wechat");

    private JourneyValidator() {}

    public static List<Violation> validate(Journey journey, Catalog catalog) {
        var out = new ArrayList<Violation>();
        var nodes = journey.nodes();
        var triggers = nodes.values().stream()
                .filter(Node.Trigger.class::isInstance)
                .map(Node::id)
                .toList();
        if (triggers.isEmpty()) {
            out.add(new Violation(null, "nodes", "has no trigger"));
        } else if (triggers.size() > 1) {
            for (String extra : triggers.subList(1, triggers.size())) {
                out.add(new Violation(extra, "type", "a journey has one trigger; the first is " + triggers.get(0)));
            }
        }
        boolean linksOk = true;
        for (Node node : nodes.values()) {
            for (String next : node.successors()) {
                if (!nodes.containsKey(next)) {
                    out.add(new Violation(node.id(), "next", "names node '" + next + "', which does not exist"));
                    linksOk = false;
                } else if (nodes.get(next) instanceof Node.Trigger) {
                    out.add(new Violation(node.id(), "next", "leads to the trigger " + next));
                    linksOk = false;
                }
            }
            references(node, catalog, out);
        }
        for (var rule : journey.exitRules()) {
            if (rule instanceof Journey.ExitRule.LeftAudience left && !catalog.audience(left.audience())) {
                out.add(new Violation(null, "exitWhen", "audience '" + left.audience() + "' does not exist"));
            }
        }
        if (linksOk && triggers.size() == 1) {
            int before = out.size();
            cycles(journey, out);
            reachability(journey, triggers.get(0), out);
            if (out.size() == before) {
                controlSends(journey, out);
            }
        }
        return out;
    }

    private static void references(Node node, Catalog catalog, List<Violation> out) {
        String id = node.id();
        switch (node) {
            case Node.Trigger t -> {
                switch (t.entry()) {
                    case Node.Entry.Audience a -> audience(id, "on", a.audience(), catalog, out);
                    case Node.Entry.Broadcast b -> audience(id, "on.broadcast", b.audience(), catalog, out);
                    default -> {}
                }
            }
            case Node.Condition c -> {
                for (int i = 0; i < c.branches().size(); i++) {
                    predicateAudiences(
                            id, "branches[" + i + "].when", c.branches().get(i).when(), catalog, out);
                }
            }
            case Node.Split s -> {
                var names = new HashSet<String>();
                long controls = s.arms().stream().filter(Node.Arm::control).count();
                if (s.arms().size() < 2) {
                    out.add(new Violation(id, "arms", "a split needs at least two arms"));
                }
                if (controls > 1) {
                    out.add(new Violation(id, "arms", "has " + controls + " control arms; at most one"));
                }
                for (var arm : s.arms()) {
                    if (!names.add(arm.name())) {
                        out.add(new Violation(id, "arms", "arm name '" + arm.name() + "' is used twice"));
                    }
                }
            }
            case Node.Send s -> {
                if (!catalog.channel(s.channel())) {
                    out.add(new Violation(id, "channel", "channel '" + s.channel() + "' is not configured"));
                    return;
                }
                var template = catalog.template(s.channel(), s.template());
                if (template.isEmpty()) {
                    out.add(new Violation(
                            id, "template", "template '" + s.template() + "' does not exist for " + s.channel()));
                } else if (!template.get().approved()) {
                    out.add(new Violation(id, "template", "template '" + s.template() + "' is not approved"));
                } else if (s.purpose() == Node.Purpose.MARKETING
                        && s.channel().equals("sms")
                        && !template.get().optOutInstruction()) {
                    out.add(new Violation(
                            id, "template", "a marketing SMS template must carry an opt-out instruction (回T退订)"));
                }
                if (SENDER_REQUIRED.contains(s.channel())) {
                    if (s.sender() == null) {
                        out.add(new Violation(id, "sender", "is required for " + s.channel()));
                    } else if (!catalog.sender(s.channel(), s.sender())) {
                        out.add(new Violation(
                                id, "sender", "'" + s.sender() + "' is not an approved sender of " + s.channel()));
                    }
                }
            }
            default -> {}
        }
    }

    private static void predicateAudiences(String id, String field, Predicate p, Catalog catalog, List<Violation> out) {
        switch (p) {
            case Predicate.InAudience a -> audience(id, field, a.audience(), catalog, out);
            case Predicate.All all -> all.all().forEach(q -> predicateAudiences(id, field, q, catalog, out));
            case Predicate.Any any -> any.any().forEach(q -> predicateAudiences(id, field, q, catalog, out));
            case Predicate.Not not -> predicateAudiences(id, field, not.not(), catalog, out);
            default -> {}
        }
    }

    private static void audience(String id, String field, String key, Catalog catalog, List<Violation> out) {
        if (!catalog.audience(key)) {
            out.add(new Violation(id, field, "audience '" + key + "' does not exist"));
        }
    }

    /** Depth-first, colouring nodes; a grey successor closes a cycle, reported at the node that closes it. */
    private static void cycles(Journey journey, List<Violation> out) {
        Map<String, Integer> colour = new HashMap<>();
        for (String start : journey.nodes().keySet()) {
            if (colour.containsKey(start)) {
                continue;
            }
            var stack = new ArrayDeque<Object[]>();
            stack.push(new Object[] {start, 0});
            colour.put(start, 1);
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                String id = (String) top[0];
                int i = (Integer) top[1];
                List<String> next = journey.node(id).successors();
                if (i >= next.size()) {
                    colour.put(id, 2);
                    stack.pop();
                    continue;
                }
                top[1] = i + 1;
                String succ = next.get(i);
                Integer c = colour.get(succ);
                if (c == null) {
                    colour.put(succ, 1);
                    stack.push(new Object[] {succ, 0});
                } else if (c == 1) {
                    out.add(new Violation(id, "next", "leads back to '" + succ + "': a journey has no cycles"));
                }
            }
        }
    }

    /** A control arm measures the journey's absence: no message may be sent on its path. */
    private static void controlSends(Journey journey, List<Violation> out) {
        for (Node node : journey.nodes().values()) {
            if (node instanceof Node.Split split && split.control().isPresent()) {
                var seen = new HashSet<String>();
                var queue = new ArrayDeque<String>(List.of(split.control().get().next()));
                while (!queue.isEmpty()) {
                    String id = queue.poll();
                    if (!seen.add(id)) {
                        continue;
                    }
                    Node reached = journey.node(id);
                    if (reached instanceof Node.Send) {
                        out.add(new Violation(
                                split.id(),
                                "arms",
                                "the control arm '" + split.control().get().name() + "' reaches send node " + id));
                    }
                    queue.addAll(reached.successors());
                }
            }
        }
    }

    private static void reachability(Journey journey, String trigger, List<Violation> out) {
        var seen = new HashSet<String>();
        var queue = new ArrayDeque<String>();
        queue.add(trigger);
        seen.add(trigger);
        boolean exit = false;
        while (!queue.isEmpty()) {
            Node node = journey.node(queue.poll());
            exit |= node instanceof Node.Exit;
            for (String next : node.successors()) {
                if (seen.add(next)) {
                    queue.add(next);
                }
            }
        }
        for (String id : journey.nodes().keySet()) {
            if (!seen.contains(id)) {
                out.add(new Violation(id, "id", "cannot be reached from the trigger"));
            }
        }
        if (!exit) {
            out.add(new Violation(null, "nodes", "no exit can be reached from the trigger"));
        }
    }
}
