/**
 * JSON Schema (2020-12) of a webMCP page declaration, `<script type="application/webmcp+json">`,
 * versions 0.1 and 0.2. Shipped as `webmcp/schema/webmcp.schema.json`; a test keeps both equal.
 */
export const declarationSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://webmcp.dev/schema/webmcp-declaration.json",
  "title": "webMCP page declaration (application/webmcp+json), versions 0.1 and 0.2",
  "type": "object",
  "required": [
    "version",
    "elements"
  ],
  "properties": {
    "version": {
      "enum": [
        "0.1",
        "0.2"
      ]
    },
    "context": {
      "oneOf": [
        {
          "type": "string",
          "maxLength": 2000
        },
        {
          "type": "object",
          "properties": {
            "title": {
              "type": "string",
              "maxLength": 500
            },
            "url": {
              "type": "string",
              "maxLength": 2000
            },
            "purpose": {
              "type": "string",
              "maxLength": 100
            },
            "language": {
              "type": "string",
              "maxLength": 35
            },
            "description": {
              "type": "string",
              "maxLength": 2000
            }
          },
          "additionalProperties": false
        }
      ]
    },
    "elements": {
      "type": "array",
      "maxItems": 10000,
      "items": {
        "type": "object",
        "required": [
          "selector",
          "role",
          "name"
        ],
        "properties": {
          "selector": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1000
          },
          "role": {
            "type": "string",
            "pattern": "^(input\\.(text|email|password|number|tel|url|search|date|checkbox|radio|file|range|color|hidden|textarea|select)|action\\.(submit|navigate|delete|edit|toggle|open)|display\\.[a-z][a-z0-9_-]*|navigation\\.[a-z][a-z0-9_-]*)$"
          },
          "name": {
            "type": "string",
            "pattern": "^[A-Z][A-Z0-9_]{0,63}$"
          },
          "label": {
            "type": "string",
            "maxLength": 500
          },
          "description": {
            "type": "string",
            "maxLength": 2000
          },
          "context": {
            "type": "string",
            "maxLength": 2000
          },
          "form": {
            "type": "string",
            "pattern": "^[A-Z][A-Z0-9_]{0,63}$"
          },
          "required": {
            "type": "boolean"
          },
          "validation": {
            "oneOf": [
              {
                "type": "string",
                "maxLength": 1000
              },
              {
                "type": "object",
                "properties": {
                  "pattern": {
                    "type": "string",
                    "maxLength": 1000
                  },
                  "minLength": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "maxLength": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "min": {
                    "type": [
                      "number",
                      "string"
                    ]
                  },
                  "max": {
                    "type": [
                      "number",
                      "string"
                    ]
                  },
                  "step": {
                    "type": [
                      "number",
                      "string"
                    ]
                  },
                  "format": {
                    "type": "string",
                    "maxLength": 50
                  },
                  "multiple": {
                    "type": "boolean"
                  },
                  "accept": {
                    "type": "string",
                    "maxLength": 500
                  },
                  "autocomplete": {
                    "type": "string",
                    "maxLength": 200
                  },
                  "options": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {
                      "oneOf": [
                        {
                          "type": "string",
                          "maxLength": 500
                        },
                        {
                          "type": "object",
                          "required": [
                            "value"
                          ],
                          "properties": {
                            "value": {
                              "type": "string",
                              "maxLength": 500
                            },
                            "label": {
                              "type": "string",
                              "maxLength": 500
                            },
                            "selected": {
                              "type": "boolean"
                            }
                          },
                          "additionalProperties": false
                        }
                      ]
                    }
                  }
                },
                "additionalProperties": false
              }
            ]
          },
          "security": {
            "type": "object",
            "properties": {
              "csrf_token": {
                "type": [
                  "boolean",
                  "string"
                ]
              },
              "encryption": {
                "enum": [
                  "required",
                  "optional"
                ]
              },
              "jwt_scope": {
                "type": "array",
                "items": {
                  "type": "string",
                  "maxLength": 100
                },
                "maxItems": 20
              }
            },
            "additionalProperties": false
          },
          "method": {
            "enum": [
              "GET",
              "POST",
              "PUT",
              "PATCH",
              "DELETE",
              "get",
              "post",
              "put",
              "patch",
              "delete"
            ]
          },
          "url": {
            "type": "string",
            "maxLength": 2000
          },
          "examples": {
            "type": "array",
            "items": {
              "type": "string",
              "maxLength": 500
            },
            "maxItems": 10
          }
        },
        "additionalProperties": false
      }
    },
    "security": {
      "type": "object",
      "properties": {
        "endpoints": {
          "type": "object"
        },
        "csrf": {
          "type": "object",
          "properties": {
            "token_field": {
              "type": "string",
              "maxLength": 200
            },
            "header_name": {
              "type": "string",
              "maxLength": 200
            }
          },
          "additionalProperties": false
        },
        "jwt": {
          "type": "object",
          "properties": {
            "header_name": {
              "type": "string",
              "maxLength": 200
            },
            "encryption": {
              "enum": [
                "JWE",
                "none"
              ]
            }
          },
          "additionalProperties": false
        }
      },
      "additionalProperties": false
    },
    "metadata": {
      "type": "object"
    }
  },
  "additionalProperties": false
} as const;
