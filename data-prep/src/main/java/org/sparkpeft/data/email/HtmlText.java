package org.sparkpeft.data.email;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/** HTML to the text a reader sees: tags, scripts, styles and comments dropped, entities decoded. */
public final class HtmlText {

  private HtmlText() {}

  public static String toText(String html) {
    Document doc = Jsoup.parse(html);
    doc.select("script, style, head").remove();
    return doc.text();
  }
}
