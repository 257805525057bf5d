package io.strata.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.testing.ServiceLogsOnFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's Chromium, driven through its ChromeDriver, against the
 * whole suite started by {@link ConsoleSuite} with a generated demo brand. Every demo role signs in
 * through Keycloak (authorization code with PKCE) and sees its tenant and role; a viewer can change
 * nothing; a marketer builds an audience in the condition builder and sees its size; an analyst
 * opens the TGI heatmap of a demo crowd and finds its planted top feature first; a marketer
 * publishes a journey in the graph editor and sees its first sends. A screenshot of every screen
 * is saved in {@code target/console-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    private static final Duration UI = Duration.ofSeconds(20);
    private static final Path TARGET = Path.of("target");
    private static final Path SHOTS = TARGET.resolve("console-screenshots");
    private static final String CROWD = "demo-refined-mums";
    private static final String SEGMENT = "console-repeat-buyers";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConsoleSuite suite;
    private static Path brand;
    private static final List<WebDriver> browsers = new ArrayList<>();

    @RegisterExtension
    static final ServiceLogsOnFailure LOGS =
            new ServiceLogsOnFailure(() -> suite == null ? List.of() : suite.processes(), ConsoleSuite.LOG_LINES);

    @BeforeAll
    static void suiteWithTheDemoBrand() throws IOException {
        Files.createDirectories(SHOTS);
        suite = ConsoleSuite.start();
        brand = Files.createTempDirectory(Files.createDirectories(TARGET), "console-brand-");
        JsonNode truths = suite.loadDemoBrand(ConsoleSuite.SEED, ConsoleSuite.CONSUMERS, brand);
        suite.defineDemoAudiences(brand, CROWD);
        suite.awaitInsight(CROWD);
        String alice = suite.token(ConsoleSuite.ADMIN);
        // the models as of the brand's last day, as the demo report runs them
        String asOf = truths.path("churn").path("end").asText("2026-11-01T00:00:00+08:00");
        JsonNode run = JSON.readTree(suite.send("POST", "/api/v1/models/runs", "{\"asOf\":\"" + asOf + "\"}", alice)
                .body());
        await("the model run")
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> "done"
                        .equals(suite.get(
                                        "/api/v1/models/runs/" + run.path("id").asText(), alice)
                                .path("status")
                                .asText()));
        // what the journey of the test sends: an approved transactional SMS from an approved sender
        assertEquals(
                200,
                suite.send(
                                "PUT",
                                "/api/v1/templates/sms/console_notice",
                                "{\"body\":\"【Strata】会员权益已更新\",\"approved\":true}",
                                alice)
                        .statusCode());
        int sender = suite.send("PUT", "/api/v1/senders/sms/" + encode("【Strata】"), "{}", alice)
                .statusCode();
        assertTrue(sender == 200 || sender == 201 || sender == 204, "sender: " + sender);
    }

    @AfterEach
    void closeBrowsers() {
        browsers.forEach(WebDriver::quit);
        browsers.clear();
    }

    @AfterAll
    static void stop() {
        if (suite != null) {
            suite.stop();
        }
    }

    @Test
    @Order(1)
    void everyRoleSignsInWithItsTenantAndRole() {
        Map<String, String> roles = Map.of("alice", "admin", "mia", "marketer", "ana", "analyst", "vic", "viewer");
        for (Map.Entry<String, String> user : roles.entrySet()) {
            WebDriver browser = signedIn(user.getKey());
            assertEquals("demo", text(browser, "[data-testid=tenant]"));
            assertTrue(text(browser, "[data-testid=role]").contains(user.getValue()), user.getKey());
            // the tenant's data: as many profiles as the brand has consumers
            String profiles = waitFor(browser, "[data-testid=overview-stats] .stat .value")
                    .getText();
            assertEquals(ConsoleSuite.CONSUMERS, Integer.parseInt(profiles.replaceAll("[^0-9]", "")), profiles);
            shot(browser, "signed-in-" + user.getKey());
            browser.quit();
            browsers.remove(browser);
        }
        // another tenant's administrator sees none of demo's profiles
        WebDriver bob = signedIn("bob");
        assertEquals("acme", text(bob, "[data-testid=tenant]"));
        assertEquals(
                "0", waitFor(bob, "[data-testid=overview-stats] .stat .value").getText());
    }

    @Test
    @Order(2)
    void aViewerCanChangeNothing() {
        WebDriver vic = signedIn("vic");
        open(vic, "segments");
        assertFalse(waitFor(vic, "[data-testid=new-segment]").isEnabled(), "new segment");
        open(vic, "journeys");
        assertFalse(waitFor(vic, "[data-testid=new-journey]").isEnabled(), "new journey");
        open(vic, "models");
        assertFalse(waitFor(vic, "[data-testid=run-models]").isEnabled(), "run models");
        open(vic, "insight");
        assertFalse(waitFor(vic, "[data-testid=run-analysis]").isEnabled(), "run an analysis");
        open(vic, "sources");
        waitFor(vic, "[data-testid=admin-only]");
        shot(vic, "viewer-sources");
        // and the API refuses it anyway, with the viewer's own token
        assertEquals(
                403,
                suite.send(
                                "POST",
                                "/api/v1/segments",
                                "{\"id\":\"vic-was-here\",\"name\":\"x\","
                                        + "\"definition\":{\"field\":\"orders.count\",\"op\":\"gte\",\"value\":1}}",
                                suite.token("vic"))
                        .statusCode());
    }

    @Test
    @Order(3)
    void aMarketerBuildsASegmentAndSeesItsSize() {
        WebDriver mia = signedIn("mia");
        open(mia, "segments/new");
        type(waitFor(mia, "[data-testid=segment-id]"), SEGMENT);
        type(waitFor(mia, "[data-testid=segment-name]"), "Repeat buyers / 复购人群");
        // the builder starts with "orders.count gte 1"; make it two orders or more
        type(waitFor(mia, "[data-testid=field-value]"), "2");
        String definition = "{\"field\":\"orders.count\",\"op\":\"gte\",\"value\":2}";
        long expected = readLong(
                suite.send(
                                "POST",
                                "/api/v1/segments/preview",
                                "{\"definition\":" + definition + "}",
                                suite.token("mia"))
                        .body(),
                "size");
        assertTrue(expected > 0, "repeat buyers in the demo brand: " + expected);
        waitUntil(mia, "the live size", b -> number(text(b, "[data-testid=live-size] .value")) == expected);
        assertTrue(waitFor(mia, "pre.json").getText().contains("\"op\": \"gte\""));
        shot(mia, "segment-builder");
        waitFor(mia, "[data-testid=save-segment]").click();
        // the audience's page, its size once evaluated
        waitUntil(mia, "the new audience's size", b -> {
            if (!b.getCurrentUrl().contains("#/segments/" + SEGMENT)) {
                return false;
            }
            b.navigate().refresh();
            return number(waitFor(b, "[data-testid=segment-size] .value").getText()) == expected;
        });
        shot(mia, "segment-detail");
    }

    @Test
    @Order(4)
    void theTgiHeatmapOfADemoCrowdShowsItsPlantedTopFeature() {
        ConsoleSuite.PlantedTgi top = ConsoleSuite.expectedTopFeature(brand, "REFINED_MUMS");
        WebDriver ana = signedIn("ana");
        open(ana, "insight/tgi/" + CROWD);
        waitFor(ana, "[data-testid=run-analysis]").click();
        WebElement first = waitFor(ana, "[data-testid='tgi-rows-" + CROWD + "'] tbody tr");
        waitFor(ana, "[data-testid=tgi-heatmap] canvas");
        List<WebElement> cells = first.findElements(By.tagName("td"));
        assertEquals(top.dimension(), cells.get(0).getText(), "the top row's dimension");
        assertEquals(top.value(), cells.get(1).getText(), "the top row's value");
        // the planted index lies inside the interval the row shows
        String[] interval = cells.get(3).getText().split(" – ");
        double lower = Double.parseDouble(interval[0].replace(",", ""));
        double upper = Double.parseDouble(interval[1].replace(",", ""));
        assertTrue(
                lower <= top.plantedTgi() && top.plantedTgi() <= upper,
                top.plantedTgi() + " in [" + lower + ", " + upper + "]");
        shot(ana, "insight-tgi");
    }

    @Test
    @Order(5)
    void aPublishedJourneyShowsItsFirstSends() {
        WebDriver mia = signedIn("mia");
        open(mia, "journeys/new");
        type(waitFor(mia, "[data-testid=journey-key]"), "console-notice");
        type(waitFor(mia, "[data-testid=journey-name]"), "Notice to repeat buyers / 复购会员通知");
        editNode(
                mia,
                "start",
                "{\"id\":\"start\",\"type\":\"trigger\",\"on\":{\"broadcast\":\"" + SEGMENT + "\"},\"next\":\"send\"}");
        editNode(
                mia,
                "send",
                "{\"id\":\"send\",\"type\":\"send\",\"channel\":\"sms\",\"template\":\"console_notice\","
                        + "\"sender\":\"【Strata】\",\"purpose\":\"transactional\",\"next\":\"done\"}");
        waitUntil(mia, "validated", b -> text(b, "[data-testid=validation]").startsWith("✓"));
        shot(mia, "journey-editor");
        waitFor(mia, "[data-testid=save-journey]").click();
        waitUntil(mia, "the saved journey", b -> b.getCurrentUrl().contains("#/journeys/console-notice"));
        waitFor(mia, "[data-testid=publish]").click();
        waitFor(mia, "[data-testid=published]");
        waitUntil(mia, "the first sends", b -> {
            b.navigate().refresh();
            return number(waitFor(b, "[data-testid=sent-v1]").getText()) > 0;
        });
        assertTrue(text(mia, "[data-testid=journey-status]").startsWith("published"));
        shot(mia, "journey-sends");
    }

    @Test
    @Order(6)
    void everyScreenShowsTheBrandInBothLanguages() {
        WebDriver alice = signedIn("alice");
        for (String screen : List.of(
                "overview", "profiles", "tags", "segments", "models", "insight", "crowds", "journeys", "sources")) {
            alice.findElement(By.cssSelector("[data-nav='" + screen + "']")).click();
            waitUntil(
                    alice,
                    screen + " loaded",
                    b -> b.findElements(By.cssSelector(".content .loading")).isEmpty()
                            && b.findElements(By.cssSelector(".content [data-screen]"))
                                                    .size()
                                            + b.findElements(By.cssSelector("main[data-screen='" + screen + "']"))
                                                    .size()
                                    > 0);
            assertTrue(
                    alice.findElements(By.cssSelector(".content .error")).isEmpty(),
                    screen + ": "
                            + alice.findElements(By.cssSelector(".content .error")).stream()
                                    .map(WebElement::getText)
                                    .toList());
            shot(alice, "screen-" + screen);
        }
        // a profile page, from the list
        open(alice, "profiles");
        waitFor(alice, "[data-testid=profiles] tbody tr").click();
        waitFor(alice, "[data-testid=profile-segments]");
        waitUntil(
                alice,
                "the profile loaded",
                b -> b.findElements(By.cssSelector(".content .loading")).isEmpty());
        shot(alice, "screen-profile");
        // the journey and the models, with their charts
        open(alice, "journeys/console-notice");
        WebElement send = waitFor(alice, "[data-testid=jnode-send]");
        waitUntil(alice, "the journey's graph drawn", b -> send.isDisplayed());
        assertTrue(waitFor(alice, "[data-testid=jcount-send]").getText().contains("▶"), "the send node's counts");
        shot(alice, "screen-journey");
        open(alice, "models");
        waitFor(alice, "[data-testid=rfm-grid] canvas");
        waitFor(alice, "[data-testid=aipl-sankey] canvas");
        shot(alice, "screen-models");
        // English, then back to Chinese
        new Select(waitFor(alice, "[data-testid=language]")).selectByValue("en");
        open(alice, "overview");
        waitUntil(
                alice,
                "English",
                b -> b.findElement(By.cssSelector(".top h1")).getText().equals("Overview"));
        shot(alice, "screen-overview-en");
        new Select(waitFor(alice, "[data-testid=language]")).selectByValue("zh");
        waitUntil(
                alice,
                "Chinese",
                b -> b.findElement(By.cssSelector(".top h1")).getText().equals("概览"));
        // a tablet
        alice.manage().window().setSize(new org.openqa.selenium.Dimension(820, 1180));
        open(alice, "segments");
        waitFor(alice, "[data-testid=segments]");
        // the Venn of the two audiences: the crowd's repeat buyers in their overlap, as the API counts them
        waitFor(alice, "[aria-label='overlap " + SEGMENT + "']").click();
        waitFor(alice, "[aria-label='overlap " + CROWD + "']").click();
        JsonNode overlap = suite.get("/api/v1/segments/overlap?ids=" + SEGMENT + "," + CROWD, suite.token("alice"));
        long both = 0;
        for (JsonNode region : overlap.path("regions")) {
            if (region.path("segmentIds").size() == 2) {
                both = region.path("size").asLong();
            }
        }
        long expected = both;
        assertTrue(expected > 0, "repeat buyers among the refined mums: " + overlap);
        waitUntil(
                alice,
                "the Venn",
                b -> b.findElements(By.cssSelector("[data-testid=venn] text")).stream()
                        .anyMatch(label -> number(label.getText()) == expected));
        shot(alice, "tablet-segments");
    }

    // ---- the browser ----

    /** A new headless Chromium signed in as the user through the realm's login page. */
    private static WebDriver signedIn(String user) {
        WebDriver browser = chromium();
        browser.get(suite.gatewayUrl() + "/");
        type(waitFor(browser, "#username"), user);
        type(waitFor(browser, "#password"), "strata");
        waitFor(browser, "#kc-login").click();
        waitUntil(
                browser,
                user + " signed in",
                b -> !b.findElements(By.cssSelector("[data-testid=user]")).isEmpty()
                        && text(b, "[data-testid=user]").equals(user));
        return browser;
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("strata.chromium", "/usr/bin/chromium"));
        // the flags of a closed network: no background connections, no component downloads
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1440,960",
                "--lang=zh-CN");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("strata.chromedriver", "/usr/bin/chromedriver"))
                        .toFile())
                .build();
        WebDriver browser = new ChromeDriver(service, options);
        browsers.add(browser);
        return browser;
    }

    private static void open(WebDriver browser, String route) {
        browser.get(suite.gatewayUrl() + "/#/" + route);
    }

    private static WebElement waitFor(WebDriver browser, String css) {
        try {
            return new WebDriverWait(browser, UI).until(b -> {
                List<WebElement> found = b.findElements(By.cssSelector(css));
                return found.isEmpty() ? null : found.get(0);
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw failed(browser, css, e);
        }
    }

    private static void waitUntil(WebDriver browser, String what, java.util.function.Predicate<WebDriver> done) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(60))
                    .pollingEvery(Duration.ofMillis(500))
                    .ignoring(RuntimeException.class)
                    .until(done::test);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw failed(browser, what, e);
        }
    }

    /** A failure that shows what the page showed: its address, its text, a screenshot and the browser's log. */
    private static AssertionError failed(WebDriver browser, String what, Exception cause) {
        String name = "failed-" + what.replaceAll("[^A-Za-z0-9]+", "-");
        shot(browser, name);
        String text = browser.findElements(By.tagName("body")).stream()
                .map(WebElement::getText)
                .findFirst()
                .orElse("");
        String log = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::toString)
                .reduce("", (a, b) -> a + "\n  " + b);
        return new AssertionError(
                what + " did not come on " + browser.getCurrentUrl() + " (" + SHOTS.resolve(name + ".png")
                        + "); the page said:\n" + text.substring(0, Math.min(2000, text.length()))
                        + "\nthe browser's log:" + log,
                cause);
    }

    private static String text(WebDriver browser, String css) {
        return browser.findElement(By.cssSelector(css)).getText().trim();
    }

    /** Replaces an input's text (React sees each key). */
    private static void type(WebElement input, String text) {
        input.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"));
        input.sendKeys(org.openqa.selenium.Keys.DELETE);
        input.sendKeys(text);
    }

    /** Selects a node of the journey graph, replaces its JSON and applies it. */
    private static void editNode(WebDriver browser, String id, String json) {
        // a real click: the node must be drawn (measured, in view), not only in the page
        WebElement node = waitFor(browser, "[data-testid=jnode-" + id + "]");
        waitUntil(browser, "the node " + id + " drawn", b -> node.isDisplayed());
        node.click();
        WebElement editor = waitFor(browser, "[data-testid=node-json]");
        waitUntil(
                browser,
                "the node " + id + " in the panel",
                b -> editor.getAttribute("value").contains("\"id\": \"" + id + "\""));
        // the whole JSON at once: typing it key by key would meet the textarea's auto-indentation
        ((JavascriptExecutor) browser)
                .executeScript(
                        "const t = arguments[0];"
                                + "Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(t, arguments[1]);"
                                + "t.dispatchEvent(new Event('input', {bubbles: true}));",
                        editor,
                        json);
        waitFor(browser, "[data-testid=apply-node]").click();
    }

    private static void shot(WebDriver browser, String name) {
        try {
            Path png =
                    ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.move(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long number(String text) {
        String digits = text.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Long.parseLong(digits);
    }

    private static long readLong(String json, String field) {
        try {
            return JSON.readTree(json).path(field).asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
